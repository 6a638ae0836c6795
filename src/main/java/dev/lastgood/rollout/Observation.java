package dev.lastgood.rollout;

import dev.lastgood.analysis.Outcome;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import java.time.Instant;
import java.util.List;

/**
 * Everything the planner decides from, gathered by the reconciler.
 *
 * @param previous the status as last written; null for a new Rollout
 * @param desired the verified release the spec names
 * @param routeCanaryWeight the canary's weight in the HTTPRoute as it is now, or null without a
 *     route
 * @param round outcomes of an analysis round that has ended since the last pass, or null when none
 *     has
 * @param roundStartedAt when that round queried; null means now
 * @param roundRunning true while a round due is still querying; its end wakes the Rollout
 */
public record Observation(
        long generation,
        RolloutSpec spec,
        RolloutStatus previous,
        ReleaseSnapshot desired,
        TrackState stable,
        TrackState canary,
        Integer routeCanaryWeight,
        String promoteAnnotation,
        String abortAnnotation,
        List<Outcome> round,
        Instant roundStartedAt,
        boolean roundRunning,
        Instant now) {}
