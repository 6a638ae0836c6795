package dev.lastgood.rollout;

import dev.lastgood.analysis.Ledger;
import dev.lastgood.api.v1alpha1.AnalysisStatus;
import dev.lastgood.api.v1alpha1.AnalysisStep;
import dev.lastgood.api.v1alpha1.Durations;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import dev.lastgood.api.v1alpha1.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rollout state machine: a pure function from an {@link Observation} to a {@link Plan}.
 *
 * <p>Every decision reads the previous status and writes the next one; nothing is kept in memory
 * between passes. Each pass is idempotent: the owned objects it asks for are the same whether it
 * runs once or, after a crash before the status was written, twice.
 */
public final class Planner {
    /** Failed releases remembered, so a status never grows without bound. */
    static final int FAILED_RELEASES_KEPT = 10;

    private final Observation in;
    private final RolloutSpec spec;
    private final RolloutStatus s;
    private final List<Transition> transitions = new ArrayList<>();
    private final int replicas;
    private Duration requeue;

    /** The owned objects are left as they are this pass: no write, in either direction. */
    private static final Desired HOLD = new Desired(null, 0, null, 0, 0);

    /** While an analysis round is still querying: when to look again should its end be lost. */
    static final Duration ROUND_RUNNING_RECHECK = Duration.ofSeconds(5);

    private Planner(Observation in) {
        this.in = in;
        this.spec = in.spec();
        this.s = StatusCopy.of(in.previous());
        this.replicas = spec.replicas == null ? 1 : spec.replicas;
    }

    public static Plan plan(Observation in) {
        return new Planner(in).run();
    }

    private Plan run() {
        s.observedGeneration = in.generation();
        Desired desired;
        if (s.stable == null) {
            desired = in.desired().sameRelease(s.canary) ? promotion() : startFirstRelease();
        } else if (in.desired().sameRelease(s.stable)) {
            desired = steady();
        } else {
            desired = canary();
        }
        scheduleNextRound();
        if (desired == HOLD) {
            return new Plan(s, null, transitions, requeue);
        }
        s.replicas = desired.stableReplicas() + desired.canaryReplicas();
        return new Plan(s, desired, transitions, requeue);
    }

    // ---- steady state -------------------------------------------------------------------

    private Desired steady() {
        if (s.canary != null && s.stable != null) {
            if (inFlight()) {
                transitions.add(
                        Transition.normal(
                                Reasons.CANARY_CANCELLED,
                                "spec points at the stable release "
                                        + s.stable.version
                                        + " again; canary "
                                        + s.canary.version
                                        + " cancelled"));
            }
            clearCanary();
        }
        boolean ready = in.stable().rolledOut(s.stable.identity(), replicas);
        setPhase(
                ready ? Phase.HEALTHY : Phase.PROGRESSING,
                ready
                        ? "release " + s.stable.version + " is healthy"
                        : "waiting for pods of " + s.stable.version);
        return idle();
    }

    private Desired idle() {
        s.canaryWeight = 0;
        return new Desired(s.stable, replicas, s.stable, 0, 0);
    }

    // ---- first release: nothing to compare with, so it is promoted directly --------------

    private Desired startFirstRelease() {
        s.canary = in.desired().copy();
        s.promoting = true;
        s.stepStartedAt = in.now().toString();
        s.canaryWeight = 0;
        transitions.add(
                Transition.normal(
                        Reasons.DEPLOYING,
                        "deploying first release "
                                + s.canary.version
                                + " directly: there is no"
                                + " last-good release to compare it with"));
        return promotion();
    }

    // ---- canary -------------------------------------------------------------------------

    private Desired canary() {
        if (s.canary == null || !in.desired().sameRelease(s.canary)) {
            startCanary();
        }
        if (rolledBack()) {
            return idle();
        }
        if (abortRequested()) {
            return rollback(Reasons.ABORTED, "aborted by annotation " + Labels.ABORT);
        }
        if (trafficTakenBack()) {
            return rollback(
                    Reasons.ABORTED,
                    "traffic was taken off the canary outside the operator (break-glass"
                            + " rollback); treated as an abort");
        }
        if (in.round() != null && analysisBreached()) {
            return rollback(breachReason, breachMessage);
        }
        if (Boolean.TRUE.equals(s.promoting) || promotionHandedOver()) {
            return promotion();
        }
        if (Boolean.TRUE.equals(s.fastTrack)) {
            return fastTrack();
        }
        return steps();
    }

    private void startCanary() {
        if (s.canary != null && inFlight()) {
            transitions.add(
                    Transition.normal(
                            Reasons.CANARY_CANCELLED,
                            "canary "
                                    + s.canary.version
                                    + " replaced by "
                                    + in.desired().version
                                    + "; traffic returns to stable "
                                    + s.stable.version
                                    + " first"));
        }
        s.canary = in.desired().copy();
        s.currentStepIndex = 0;
        s.stepStartedAt = in.now().toString();
        s.canaryWeight = 0;
        s.promoting = null;
        s.promoteToken = in.promoteAnnotation();
        s.abortToken = in.abortAnnotation();
        s.analysis = spec.analysis == null ? null : new AnalysisStatus();
        boolean known = s.history.stream().anyMatch(h -> h.sameRelease(s.canary));
        s.fastTrack = known && !s.failedReleases.contains(s.canary.key()) ? Boolean.TRUE : null;
        s.phase = Phase.PROGRESSING;
        transitions.add(
                Transition.normal(
                        Reasons.CANARY_STARTED,
                        (s.fastTrack != null ? "fast-tracking release " : "canary of release ")
                                + s.canary.version
                                + " started; stable stays "
                                + s.stable.version));
    }

    /**
     * Whether the canary in status was rolled back. A rejection or an invalid spec overwrites the
     * phase but not the rest of the status, so a rollback is also recognised by what it leaves: the
     * canary kept, no step in progress, and the release recorded as failed.
     */
    private boolean rolledBack() {
        if (Phase.ROLLED_BACK.equals(s.phase)) {
            return true;
        }
        if (s.currentStepIndex == null
                && !Boolean.TRUE.equals(s.promoting)
                && s.failedReleases.contains(s.canary.key())) {
            setPhase(
                    Phase.ROLLED_BACK,
                    "release "
                            + s.canary.version
                            + " was rolled back to last-good "
                            + s.stable.version
                            + "; point spec at another release, or away and back to retry it");
            return true;
        }
        return false;
    }

    private boolean inFlight() {
        return !Phase.ROLLED_BACK.equals(s.phase)
                && !Phase.REJECTED.equals(s.phase)
                && s.canary != null;
    }

    private boolean abortRequested() {
        String now = in.abortAnnotation();
        return now != null
                && !now.isBlank()
                && !"false".equals(now)
                && !Objects.equals(now, s.abortToken);
    }

    /**
     * Whether a person sent the canary's traffic back to stable while the canary carried some: the
     * route at 0% canary, or the canary Deployment scaled to zero. That is what the break-glass
     * rollback ({@code kubectl lastgood rollback --break-glass}) does with the operator stopped;
     * re-applying the plan would send traffic back to the release they just took it from.
     *
     * <p>The operator itself only leaves a canary at 0 together with a status of weight 0, except
     * when it dies between applying and recording: then the canary was being rolled back anyway, or
     * its promotion had finished, which is checked first.
     */
    private boolean trafficTakenBack() {
        if (currentWeight() == 0) {
            return false;
        }
        if (promotionHandedOver()) {
            // The operator's own last promotion writes, not a person's: see promotion().
            return false;
        }
        return trafficLeftCanary();
    }

    private boolean trafficLeftCanary() {
        boolean canaryScaledDown = in.canary().release() != null && in.canary().replicas() == 0;
        boolean routeEmptied =
                routed() && in.routeCanaryWeight() != null && in.routeCanaryWeight() == 0;
        return canaryScaledDown || routeEmptied;
    }

    /**
     * During a promotion only the operator puts the canary's release on the stable track, and only
     * once that track is rolled out does it take traffic off the canary. So a promotion whose
     * stable track runs the canary's release and whose canary has no traffic has handed over: the
     * operator wrote its last promotion objects and died before it recorded them (a SIGKILL between
     * the apply and the status write). A break-glass rollback puts the old release back on the
     * stable track, so it does not read as a hand-over.
     *
     * <p>The status need not say {@code promoting}: the pass that started the promotion can have
     * lost its status write too, and the one that finished it as well (ChaosKillIT saw a good
     * release at 50% in status, promoted in the cluster, rolled back as a break-glass abort). Only
     * a promotion puts the canary's release on the stable track, so the cluster says enough.
     */
    private boolean promotionHandedOver() {
        return s.canary.identity().equals(in.stable().release())
                && (in.stable().rolledOut(s.canary.identity(), replicas) || trafficLeftCanary());
    }

    private String breachReason;
    private String breachMessage;

    private boolean analysisBreached() {
        if (spec.analysis == null || s.analysis == null) {
            return false;
        }
        // A round is dated by when it queried, so the interval runs from one query to the next.
        Ledger.record(
                s.analysis,
                in.round(),
                in.roundStartedAt() == null ? in.now() : in.roundStartedAt());
        var breach = Ledger.breach(s.analysis, spec.analysis);
        breach.ifPresent(
                b -> {
                    breachReason = b.reason();
                    breachMessage = b.message();
                });
        return breach.isPresent();
    }

    private Desired fastTrack() {
        int available = in.canary().availableOf(s.canary.identity());
        setWeight(Math.min(Weights.carriedWeight(replicas, available), 100));
        if (available >= replicas) {
            return startPromotion();
        }
        if (deadlinePassed()) {
            return rollback(Reasons.PROGRESS_DEADLINE_EXCEEDED, deadlineMessage());
        }
        setPhase(
                Phase.PROGRESSING,
                "fast track: canary " + s.canary.version + " at " + s.canaryWeight + "%");
        return canaryDesired(replicas);
    }

    private Desired steps() {
        if (in.roundRunning()) {
            // A round that is due but still querying may be the one that fails: traffic moves
            // on only once it is recorded, as if it had been measured in this very pass. Nor
            // does it move back: the owned objects stay exactly as they are, also where they are
            // ahead of the status (a pass that wrote the route and died before its status write:
            // holding "at the status's weight" would send that traffic back for a moment).
            return HOLD;
        }
        int index = s.currentStepIndex == null ? 0 : s.currentStepIndex;
        while (index < spec.steps.size()) {
            Step step = spec.steps.get(index);
            if (!stepDone(step)) {
                return waitingOn(step);
            }
            index = advance(index);
        }
        return startPromotion();
    }

    private int advance(int index) {
        int next = index + 1;
        s.currentStepIndex = next;
        s.stepStartedAt = in.now().toString();
        if (next < spec.steps.size()) {
            enterStep(spec.steps.get(next));
        }
        return next;
    }

    private void enterStep(Step step) {
        if (step.pause != null) {
            s.promoteToken = in.promoteAnnotation();
        }
        if (step.analysis != null && s.analysis != null) {
            s.analysis.gateStartRounds = s.analysis.successfulRounds;
        }
    }

    private boolean stepDone(Step step) {
        if (step.setWeight != null) {
            return weightReached(step.setWeight);
        }
        if (step.pause != null) {
            return pauseOver(step);
        }
        return analysisGatePassed(step);
    }

    private boolean weightReached(int weight) {
        if (routed()) {
            int needed = Weights.routedCanaryReplicas(replicas, weight);
            if (in.canary().availableOf(s.canary.identity()) < needed) {
                return false;
            }
            setWeight(weight);
            return true;
        }
        int pods = Weights.ratioCanaryReplicas(replicas, weight);
        if (in.canary().availableOf(s.canary.identity()) < pods) {
            return false;
        }
        int achieved = Weights.ratioAchievedWeight(replicas, pods);
        if (achieved != weight) {
            transitions.add(
                    Transition.warning(
                            Reasons.WEIGHT_APPROXIMATED,
                            null,
                            String.format(
                                    "weight %d%% cannot be reached with %d replica(s) without a"
                                            + " traffic router; the canary gets %d%%",
                                    weight, replicas, achieved)));
        }
        setWeight(achieved);
        return true;
    }

    private void setWeight(int weight) {
        int before = s.canaryWeight == null ? 0 : s.canaryWeight;
        if (before == weight) {
            return;
        }
        if (before == 0 && s.analysis != null && s.analysis.lastRoundAt == null) {
            // The first round comes one interval after the canary gets traffic: before that
            // there is nothing to measure, and no data must never count as a pass.
            s.analysis.lastRoundAt = in.now().toString();
        }
        s.canaryWeight = weight;
        transitions.add(
                Transition.normal(
                        Reasons.WEIGHT_CHANGED,
                        String.format(
                                "canary %s weight %d%% -> %d%%",
                                s.canary.version, before, weight)));
    }

    private boolean pauseOver(Step step) {
        if (step.pause.duration == null) {
            if (!Objects.equals(in.promoteAnnotation(), s.promoteToken)) {
                transitions.add(
                        Transition.normal(Reasons.PAUSE_ENDED, "pause ended by " + Labels.PROMOTE));
                return true;
            }
            return false;
        }
        Instant end = stepStart().plus(Durations.parse(step.pause.duration, Duration.ZERO));
        if (!in.now().isBefore(end)) {
            transitions.add(
                    Transition.normal(
                            Reasons.PAUSE_ENDED, "pause of " + step.pause.duration + " ended"));
            return true;
        }
        return false;
    }

    private boolean analysisGatePassed(Step step) {
        int wanted =
                step.analysis.rounds == null ? AnalysisStep.DEFAULT_ROUNDS : step.analysis.rounds;
        if (s.analysis == null) {
            return false;
        }
        if (s.analysis.successfulRounds - s.analysis.gateStartRounds >= wanted) {
            transitions.add(
                    Transition.normal(
                            Reasons.ANALYSIS_GATE_PASSED,
                            wanted + " successful analysis round(s)"));
            return true;
        }
        return false;
    }

    private Desired waitingOn(Step step) {
        if (step.setWeight != null) {
            if (deadlinePassed()) {
                return rollback(Reasons.PROGRESS_DEADLINE_EXCEEDED, deadlineMessage());
            }
            setPhase(
                    Phase.PROGRESSING,
                    String.format(
                            "step %d: waiting for canary pods to carry %d%%",
                            s.currentStepIndex, step.setWeight));
            requeueAt(stepStart().plus(progressDeadline()));
            return canaryDesired(canaryPodsFor(Math.max(step.setWeight, currentWeight())));
        }
        if (step.pause != null) {
            pauseWaiting(step);
        } else if (deadlinePassed()) {
            return rollback(
                    Reasons.PROGRESS_DEADLINE_EXCEEDED,
                    String.format(
                            "the analysis gate at step %d did not pass within %ds",
                            s.currentStepIndex, progressDeadline().toSeconds()));
        } else {
            requeueAt(stepStart().plus(progressDeadline()));
            setPhase(
                    Phase.PROGRESSING,
                    String.format(
                            "step %d: waiting for %s successful analysis round(s)",
                            s.currentStepIndex,
                            step.analysis.rounds == null
                                    ? AnalysisStep.DEFAULT_ROUNDS
                                    : step.analysis.rounds));
        }
        return canaryDesired(canaryPodsFor(currentWeight()));
    }

    private void pauseWaiting(Step step) {
        // Announced when the pause begins. The phase alone does not say so: one pass can end a
        // pause, reach the next weight and enter the next pause, and the phase reads PAUSED all
        // along; the message names the step and its end, so a new pause changes it.
        boolean wasPaused = Phase.PAUSED.equals(s.phase);
        String before = s.message;
        if (step.pause.duration == null) {
            setPhase(
                    Phase.PAUSED,
                    String.format(
                            "step %d: paused until %s is set", s.currentStepIndex, Labels.PROMOTE));
        } else {
            Instant end = stepStart().plus(Durations.parse(step.pause.duration, Duration.ZERO));
            setPhase(
                    Phase.PAUSED,
                    String.format("step %d: paused until %s", s.currentStepIndex, end));
            requeueAt(end);
        }
        if (!wasPaused || !s.message.equals(before)) {
            transitions.add(Transition.normal(Reasons.PAUSED, s.message));
        }
    }

    // ---- promotion ----------------------------------------------------------------------

    private Desired startPromotion() {
        if (neverMeasured()) {
            return awaitFirstMeasurement();
        }
        s.promoting = true;
        s.stepStartedAt = in.now().toString();
        transitions.add(
                Transition.normal(
                        Reasons.PROMOTING,
                        "promoting " + s.canary.version + " to the stable track"));
        return promotion();
    }

    /**
     * No data is never a pass: a canary that analysis never measured successfully (it got no
     * traffic, or every round was inconclusive so far) is not promoted.
     */
    private boolean neverMeasured() {
        return spec.analysis != null
                && !Boolean.TRUE.equals(s.fastTrack)
                && (s.analysis == null || s.analysis.successfulRounds == 0);
    }

    private Desired awaitFirstMeasurement() {
        if (deadlinePassed()) {
            return rollback(
                    Reasons.PROGRESS_DEADLINE_EXCEEDED,
                    String.format(
                            "analysis never measured %s successfully within %ds (its weight was"
                                    + " %d%%; without a traffic router, too few replicas can"
                                    + " leave the canary without traffic)",
                            s.canary.version, progressDeadline().toSeconds(), currentWeight()));
        }
        setPhase(
                Phase.PROGRESSING,
                "waiting for a successful analysis round of "
                        + s.canary.version
                        + " before promoting");
        requeueAt(stepStart().plus(progressDeadline()));
        return canaryDesired(canaryPodsFor(currentWeight()));
    }

    /** The stable track takes the canary's release; last-good is recorded once it is available. */
    private Desired promotion() {
        if (in.stable().rolledOut(s.canary.identity(), replicas)) {
            return completePromotion();
        }
        // Handed over before a restart: traffic already left the canary for the stable track,
        // which runs the same release. Sending it back to a scaled-down canary would be an outage.
        int carried = promotionHandedOver() || s.canaryWeight == null ? 0 : s.canaryWeight;
        if (s.stable != null && deadlinePassed()) {
            return rollback(Reasons.PROGRESS_DEADLINE_EXCEEDED, deadlineMessage());
        }
        setPhase(Phase.PROGRESSING, "promoting " + s.canary.version + ": waiting for stable pods");
        requeueAt(stepStart().plus(progressDeadline()));
        int canaryPods = s.stable == null || carried == 0 ? 0 : canaryPodsFor(carried);
        return new Desired(s.canary, replicas, s.canary, canaryPods, carried);
    }

    private Desired completePromotion() {
        ReleaseSnapshot promoted = s.canary.copy();
        promoted.promotedAt = in.now().toString();
        String from = s.stable == null ? "nothing" : s.stable.version;
        s.stable = promoted;
        s.history.removeIf(h -> h.sameRelease(promoted));
        s.history.add(promoted);
        int limit =
                spec.revisionHistoryLimit == null
                        ? RolloutSpec.DEFAULT_REVISION_HISTORY_LIMIT
                        : spec.revisionHistoryLimit;
        while (s.history.size() > limit) {
            s.history.remove(0);
        }
        s.failedReleases.remove(promoted.key());
        clearCanary();
        setPhase(
                Phase.HEALTHY,
                "release " + promoted.version + " is promoted and recorded as last-good");
        transitions.add(
                Transition.normal(
                        Reasons.PROMOTED,
                        "promoted "
                                + promoted.version
                                + " (was "
                                + from
                                + "); recorded as last-good"));
        return idle();
    }

    private void clearCanary() {
        s.canary = null;
        s.currentStepIndex = null;
        s.stepStartedAt = null;
        s.promoting = null;
        s.fastTrack = null;
        s.promoteToken = null;
        s.abortToken = null;
        s.analysis = null;
        s.canaryWeight = 0;
    }

    // ---- rollback -----------------------------------------------------------------------

    /**
     * Sends all traffic back to the last-good release, rendered from the status snapshot alone: no
     * BuildRelease, registry or other service is needed to know what to run.
     */
    private Desired rollback(String reason, String message) {
        String version = s.canary.version;
        s.failedReleases.remove(s.canary.key());
        s.failedReleases.add(s.canary.key());
        while (s.failedReleases.size() > FAILED_RELEASES_KEPT) {
            s.failedReleases.remove(0);
        }
        s.promoting = null;
        s.fastTrack = null;
        s.currentStepIndex = null;
        s.stepStartedAt = null;
        requeue = null;
        setPhase(
                Phase.ROLLED_BACK,
                "rolled back " + version + " to last-good " + s.stable.version + ": " + message);
        transitions.add(
                Transition.warning(
                        Reasons.ROLLED_BACK,
                        reason,
                        "rolled back "
                                + version
                                + " to "
                                + s.stable.version
                                + " ("
                                + reason
                                + "): "
                                + message));
        return idle();
    }

    // ---- helpers ------------------------------------------------------------------------

    private void scheduleNextRound() {
        if (s.analysis == null
                || s.analysis.lastRoundAt == null
                || spec.analysis == null
                || Phase.ROLLED_BACK.equals(s.phase)) {
            return;
        }
        if (in.roundRunning()) {
            // The round's end wakes the Rollout; this is only the fallback should that be lost.
            requeueAt(in.now().plus(ROUND_RUNNING_RECHECK));
            return;
        }
        requeueAt(
                Instant.parse(s.analysis.lastRoundAt)
                        .plus(AnalysisSchedule.interval(spec.analysis)));
    }

    private Desired canaryDesired(int canaryPods) {
        // Without a router the stable track only shrinks to the split of the weight reached, not
        // of the one the canary is still scaling up for: its pods keep carrying the load until
        // the canary's are available, and it is never emptied before the weight reaches 100.
        int stablePods =
                routed()
                        ? replicas
                        : replicas - Weights.ratioCanaryReplicas(replicas, currentWeight());
        return new Desired(s.stable, stablePods, s.canary, canaryPods, currentWeight());
    }

    private int canaryPodsFor(int weight) {
        return routed()
                ? Weights.routedCanaryReplicas(replicas, weight)
                : Weights.ratioCanaryReplicas(replicas, weight);
    }

    private int currentWeight() {
        return s.canaryWeight == null ? 0 : s.canaryWeight;
    }

    private boolean routed() {
        return spec.traffic != null && spec.traffic.gatewayAPI != null;
    }

    private Instant stepStart() {
        return s.stepStartedAt == null ? in.now() : Instant.parse(s.stepStartedAt);
    }

    private Duration progressDeadline() {
        return Duration.ofSeconds(
                spec.progressDeadlineSeconds == null
                        ? RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS
                        : spec.progressDeadlineSeconds);
    }

    private boolean deadlinePassed() {
        return !in.now().isBefore(stepStart().plus(progressDeadline()));
    }

    private String deadlineMessage() {
        return "pods of "
                + s.canary.version
                + " did not become available within "
                + progressDeadline().toSeconds()
                + "s";
    }

    private void requeueAt(Instant at) {
        Duration d = Duration.between(in.now(), at);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (requeue == null || d.compareTo(requeue) < 0) {
            requeue = d;
        }
    }

    private void setPhase(String phase, String message) {
        s.phase = phase;
        s.message = message;
    }
}
