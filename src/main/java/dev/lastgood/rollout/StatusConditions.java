package dev.lastgood.rollout;

import dev.lastgood.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Derives the standard conditions from the phase, the way kstatus reads them.
 *
 * <p>A condition's lastTransitionTime only moves when its status flips; Flux, Argo CD and {@code
 * kubectl wait} read these, and a timestamp that moves on every pass would hide real transitions.
 */
public final class StatusConditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";
    public static final String RELEASE_VERIFIED = "ReleaseVerified";

    private static final Set<String> MOVING = Set.of(Phase.PROGRESSING, Phase.PAUSED);
    private static final Set<String> FAILED =
            Set.of(Phase.DEGRADED, Phase.ROLLED_BACK, Phase.REJECTED);

    private StatusConditions() {}

    /** Sets Ready, Progressing, Degraded, Reconciling and Stalled from the phase. */
    public static void fromPhase(
            List<Condition> conditions,
            String phase,
            String message,
            long generation,
            Instant now) {
        boolean ready = Phase.HEALTHY.equals(phase);
        boolean moving = MOVING.contains(phase);
        boolean failed = FAILED.contains(phase);
        set(conditions, READY, ready, phase, message, generation, now);
        set(conditions, PROGRESSING, moving, phase, message, generation, now);
        set(conditions, DEGRADED, failed, phase, message, generation, now);
        set(conditions, RECONCILING, moving, phase, message, generation, now);
        set(conditions, STALLED, failed, phase, message, generation, now);
    }

    /** Sets one condition, keeping its transition time unless its status flips. */
    public static void set(
            List<Condition> conditions,
            String type,
            boolean status,
            String reason,
            String message,
            long generation,
            Instant now) {
        String value = status ? "True" : "False";
        Condition c =
                conditions.stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
        if (c == null) {
            c = new Condition();
            c.setType(type);
            conditions.add(c);
        }
        if (!value.equals(c.getStatus())) {
            c.setLastTransitionTime(
                    now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        }
        c.setStatus(value);
        c.setReason(reason);
        c.setMessage(message == null ? "" : message);
        c.setObservedGeneration(generation);
    }
}
