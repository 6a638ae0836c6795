package dev.lastgood.rollout;

import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.RolloutStatus;

/**
 * What happens to a canary in flight when its Rollout can no longer be carried out: the release is
 * rejected (a namespace was relabeled, the BuildRelease was deleted) or the spec became invalid.
 * The canary is withdrawn and traffic returns to the last-good release, because a release that can
 * no longer be verified must not keep serving, and because the controls (abort, analysis) that
 * protect a canary no longer run while the spec is unusable.
 */
public final class Withdrawal {
    private Withdrawal() {}

    /** True when a canary of a Rollout with a last-good release holds traffic or pods. */
    public static boolean needed(RolloutStatus s) {
        return s != null
                && s.stable != null
                && s.canary != null
                && !Phase.ROLLED_BACK.equals(s.phase)
                && (s.currentStepIndex != null
                        || Boolean.TRUE.equals(s.promoting)
                        || (s.canaryWeight != null && s.canaryWeight > 0));
    }

    /** The owned objects: everything on the last-good release, the canary scaled to zero. */
    public static Desired desired(RolloutStatus s, int replicas) {
        return new Desired(s.stable, replicas, s.stable, 0, 0);
    }

    /** Records the withdrawal so the release is treated as rolled back from now on. */
    public static void record(RolloutStatus s) {
        s.failedReleases.remove(s.canary.key());
        s.failedReleases.add(s.canary.key());
        while (s.failedReleases.size() > Planner.FAILED_RELEASES_KEPT) {
            s.failedReleases.remove(0);
        }
        s.canaryWeight = 0;
        s.currentStepIndex = null;
        s.stepStartedAt = null;
        s.promoting = null;
        s.fastTrack = null;
    }
}
