package dev.lastgood.rollout;

import dev.lastgood.api.v1alpha1.ReleaseSnapshot;

/**
 * What the owned objects should look like after this pass.
 *
 * @param stableRelease release the stable Deployment runs
 * @param canaryRelease release the canary Deployment runs; the stable one when idle
 * @param canaryWeight percentage of traffic the route sends to the canary
 */
public record Desired(
        ReleaseSnapshot stableRelease,
        int stableReplicas,
        ReleaseSnapshot canaryRelease,
        int canaryReplicas,
        int canaryWeight) {}
