package dev.lastgood.rollout;

import dev.lastgood.api.v1alpha1.RolloutStatus;
import java.time.Duration;
import java.util.List;

/**
 * The planner's decision for one pass.
 *
 * @param status the new status
 * @param desired the owned objects to apply, or null to touch nothing (while a due analysis round
 *     is still querying)
 * @param transitions what changed, in order
 * @param requeueAfter when to look again even if nothing changes, or null
 */
public record Plan(
        RolloutStatus status,
        Desired desired,
        List<Transition> transitions,
        Duration requeueAfter) {}
