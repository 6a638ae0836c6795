package dev.lastgood.api.v1alpha1;

import java.util.List;

/**
 * Reasons of conditions and events, and the values of metric {@code reason} labels.
 *
 * <p>One list, because people write alerts and runbooks against these strings: an event, a
 * condition and a metric about the same thing must say the same word.
 */
public final class Reasons {
    // Guard verdicts (condition ReleaseVerified / Verified).
    public static final String VERIFIED = "Verified";
    public static final String ENVIRONMENT_MISMATCH = "EnvironmentMismatch";
    public static final String NAMESPACE_NOT_LABELED = "NamespaceNotLabeled";
    public static final String IMAGE_NOT_PINNED = "ImageNotPinned";
    public static final String APPLICATION_MISMATCH = "ApplicationMismatch";
    public static final String RELEASE_NOT_FOUND = "ReleaseNotFound";

    // Spec problems.
    public static final String INVALID_SPEC = "InvalidSpec";

    // Rollout transitions.
    public static final String DEPLOYING = "Deploying";
    public static final String CANARY_STARTED = "CanaryStarted";
    public static final String CANARY_CANCELLED = "CanaryCancelled";
    public static final String WEIGHT_CHANGED = "WeightChanged";
    public static final String WEIGHT_APPROXIMATED = "WeightApproximated";
    public static final String PAUSED = "Paused";
    public static final String PAUSE_ENDED = "PauseEnded";
    public static final String ANALYSIS_GATE_PASSED = "AnalysisGatePassed";
    public static final String PROMOTING = "Promoting";
    public static final String PROMOTED = "Promoted";
    public static final String HEALTHY = "Healthy";
    public static final String WAITING_FOR_PODS = "WaitingForPods";
    public static final String ROLLED_BACK = "RolledBack";

    // Why a canary was rolled back (event detail and lastgood_rollbacks_total{reason}).
    public static final String ANALYSIS_FAILED = "AnalysisFailed";
    public static final String ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive";
    public static final String ABORTED = "Aborted";
    public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

    /** Every reason the environment guard refuses a release for. */
    public static final List<String> REJECTIONS =
            List.of(
                    ENVIRONMENT_MISMATCH,
                    NAMESPACE_NOT_LABELED,
                    IMAGE_NOT_PINNED,
                    APPLICATION_MISMATCH,
                    RELEASE_NOT_FOUND);

    /** Every cause of a rollback. */
    public static final List<String> ROLLBACK_CAUSES =
            List.of(ANALYSIS_FAILED, ANALYSIS_INCONCLUSIVE, ABORTED, PROGRESS_DEADLINE_EXCEEDED);

    private Reasons() {}
}
