package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import dev.lastgood.guard.Verdict;
import dev.lastgood.metrics.OperatorMetrics;
import dev.lastgood.rollout.Plan;
import dev.lastgood.rollout.StatusConditions;
import dev.lastgood.rollout.Transition;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a pass decided: the status first, then events, logs and metrics.
 *
 * <p>Status before events: if the operator dies in between, an event is lost but the status (the
 * record the next pass resumes from) is not, and nothing is announced twice.
 */
class StatusRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);
    private static final Duration MIN_REQUEUE = Duration.ofMillis(200);

    private final EventRecorder events;
    private final OperatorMetrics metrics;

    StatusRecorder(EventRecorder events, OperatorMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    UpdateControl<Rollout> record(Rollout rollout, Plan plan, Context<Rollout> context) {
        RolloutStatus status = plan.status();
        long generation = rollout.getMetadata().getGeneration();
        Instant now = Instant.now();
        StatusConditions.set(
                status.conditions,
                StatusConditions.RELEASE_VERIFIED,
                true,
                Reasons.VERIFIED,
                "release verified for environment " + rollout.getSpec().environment,
                generation,
                now);
        StatusConditions.fromPhase(
                status.conditions, status.phase, status.message, generation, now);
        status.selector = OwnedObjects.podSelector(rollout);
        write(rollout, status, context);
        plan.transitions().forEach(t -> announce(rollout, t));
        exportState(rollout, status);
        if (plan.requeueAfter() == null) {
            return UpdateControl.noUpdate();
        }
        Duration after =
                plan.requeueAfter().compareTo(MIN_REQUEUE) < 0 ? MIN_REQUEUE : plan.requeueAfter();
        return UpdateControl.<Rollout>noUpdate().rescheduleAfter(after);
    }

    /**
     * The guard refused the release: say so. Nothing that runs is touched, except that a canary in
     * flight was already withdrawn to last-good by the caller ({@code status} says so).
     */
    UpdateControl<Rollout> rejected(
            Rollout rollout, RolloutStatus status, Verdict verdict, Context<Rollout> context) {
        boolean isNew =
                !Phase.REJECTED.equals(status.phase)
                        || !Objects.equals(status.message, verdict.message());
        status.phase = Phase.REJECTED;
        status.message = verdict.message();
        conditions(rollout, status, false, verdict.reason(), verdict.message());
        write(rollout, status, context);
        exportState(rollout, status);
        if (isNew) {
            metrics.rejected(verdict.reason());
            announce(
                    rollout,
                    Transition.warning(
                            verdict.reason(),
                            null,
                            "release rejected: "
                                    + verdict.message()
                                    + "; traffic stays where it is"));
        }
        return UpdateControl.noUpdate();
    }

    /** The spec cannot be carried out: say why (a canary in flight was already withdrawn). */
    UpdateControl<Rollout> invalid(
            Rollout rollout,
            RolloutStatus status,
            List<String> problems,
            Context<Rollout> context) {
        String message = "invalid spec: " + String.join("; ", problems);
        boolean isNew = !Objects.equals(status.message, message);
        status.phase = Phase.DEGRADED;
        status.message = message;
        conditions(rollout, status, true, Reasons.INVALID_SPEC, message);
        write(rollout, status, context);
        exportState(rollout, status);
        if (isNew) {
            announce(rollout, Transition.warning(Reasons.INVALID_SPEC, null, message));
        }
        return UpdateControl.noUpdate();
    }

    private static void conditions(
            Rollout rollout,
            RolloutStatus status,
            boolean verified,
            String reason,
            String message) {
        long generation = rollout.getMetadata().getGeneration();
        Instant now = Instant.now();
        status.observedGeneration = generation;
        if (!verified) {
            StatusConditions.set(
                    status.conditions,
                    StatusConditions.RELEASE_VERIFIED,
                    false,
                    reason,
                    message,
                    generation,
                    now);
        }
        StatusConditions.fromPhase(status.conditions, status.phase, message, generation, now);
        for (Condition c : status.conditions) {
            if (!StatusConditions.RELEASE_VERIFIED.equals(c.getType())
                    && "True".equals(c.getStatus())) {
                c.setReason(reason);
            }
        }
    }

    /** The phase, versions and weight as metrics, for every outcome: rejections too. */
    private void exportState(Rollout rollout, RolloutStatus status) {
        metrics.rolloutState(
                rollout.getMetadata().getNamespace(),
                rollout.getMetadata().getName(),
                status.phase,
                status.stable == null ? null : status.stable.version,
                status.canary == null ? null : status.canary.version,
                status.canaryWeight == null ? 0 : status.canaryWeight);
    }

    private void announce(Rollout rollout, Transition t) {
        if (t.warning()) {
            LOG.warn("{}: {}", t.reason(), t.message());
        } else {
            LOG.info("{}: {}", t.reason(), t.message());
        }
        events.record(
                rollout,
                t.warning(),
                t.reason(),
                t.detail() == null ? t.reason() : t.detail(),
                t.message());
        if (Reasons.ROLLED_BACK.equals(t.reason())) {
            metrics.rolledBack(t.detail());
        } else if (Reasons.PROMOTED.equals(t.reason())) {
            metrics.promoted();
        }
    }

    /** Patches the status only when it changed, and caches the result for the next pass. */
    private static void write(Rollout rollout, RolloutStatus status, Context<Rollout> context) {
        if (Objects.equals(
                Serialization.asJson(rollout.getStatus()), Serialization.asJson(status))) {
            return;
        }
        Rollout patch = new Rollout();
        patch.setMetadata(
                new ObjectMetaBuilder()
                        .withName(rollout.getMetadata().getName())
                        .withNamespace(rollout.getMetadata().getNamespace())
                        .withResourceVersion(rollout.getMetadata().getResourceVersion())
                        .build());
        patch.setStatus(status);
        context.resourceOperations().serverSideApplyPrimaryStatus(patch);
    }
}
