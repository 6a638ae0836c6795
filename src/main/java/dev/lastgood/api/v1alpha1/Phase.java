package dev.lastgood.api.v1alpha1;

/** The values of {@code status.phase} of a Rollout. */
public final class Phase {
    public static final String PROGRESSING = "Progressing";
    public static final String PAUSED = "Paused";
    public static final String HEALTHY = "Healthy";
    public static final String DEGRADED = "Degraded";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String REJECTED = "Rejected";

    private Phase() {}
}
