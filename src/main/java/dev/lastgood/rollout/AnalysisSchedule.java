package dev.lastgood.rollout;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.Durations;
import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import java.time.Duration;
import java.time.Instant;

/** When the next analysis round is due. */
public final class AnalysisSchedule {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private AnalysisSchedule() {}

    public static Duration interval(AnalysisSpec spec) {
        return Durations.parse(spec.interval, DEFAULT_INTERVAL);
    }

    /**
     * A round is due while the canary that the status tracks is still the one wanted, has had
     * traffic for at least one interval, and is neither rolled back nor rejected.
     */
    public static boolean due(
            AnalysisSpec spec, RolloutStatus status, ReleaseSnapshot wanted, Instant now) {
        if (spec == null
                || status == null
                || status.analysis == null
                || status.canary == null
                || status.analysis.lastRoundAt == null
                || !status.canary.sameRelease(wanted)
                || Phase.ROLLED_BACK.equals(status.phase)
                || Phase.REJECTED.equals(status.phase)) {
            return false;
        }
        Instant next = Instant.parse(status.analysis.lastRoundAt).plus(interval(spec));
        return !now.isBefore(next);
    }
}
