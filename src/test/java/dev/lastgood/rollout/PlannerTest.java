package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.analysis.Outcome;
import dev.lastgood.analysis.Result;
import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.GatewayApiTraffic;
import dev.lastgood.api.v1alpha1.MetricSpec;
import dev.lastgood.api.v1alpha1.NameValue;
import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.PrometheusQuery;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import dev.lastgood.api.v1alpha1.Step;
import dev.lastgood.api.v1alpha1.TrafficSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlannerTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final String METRIC = "error-rate";

    static final ReleaseSnapshot V1 = release("v1");
    static final ReleaseSnapshot V2 = release("v2");
    static final ReleaseSnapshot V3 = release("v3");

    // ---- first release --------------------------------------------------------------------

    @Test
    void deploysTheFirstReleaseDirectlyOnTheStableTrack() {
        World world = new World(routed(4, Step.weight(10), Step.weight(100)), V1);

        Plan plan = world.pass();

        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(plan.desired().stableReplicas()).isEqualTo(4);
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.status().stable).isNull();
        assertThat(plan.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(plan.status().history).isEmpty();
        assertThat(reasons(plan)).containsExactly(Reasons.DEPLOYING);
    }

    @Test
    void recordsTheFirstReleaseAsLastGoodOnceTheStableTrackIsRolledOut() {
        World world = new World(routed(4, Step.weight(10), Step.weight(100)), V1);
        world.pass();
        world.stable = new TrackState(V1.identity(), 4, 4, 4, 3, true);
        Plan waiting = world.pass();
        world.later(Duration.ofSeconds(20));

        world.stable = ready(V1, 4);
        Plan done = world.pass();

        assertThat(waiting.status().stable).isNull();
        assertThat(waiting.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(waiting.transitions()).isEmpty();
        assertThat(done.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(done.status().stable.sameRelease(V1)).isTrue();
        assertThat(done.status().stable.promotedAt).isEqualTo(T0.plusSeconds(20).toString());
        assertThat(done.status().history).singleElement().matches(h -> h.sameRelease(V1));
        assertThat(done.status().canary).isNull();
        assertThat(reasons(done)).containsExactly(Reasons.PROMOTED);
        assertThat(done.desired().canaryReplicas()).isZero();
    }

    @Test
    void recordsTheFirstReleaseInHistoryOnlyOnce() {
        World world = World.healthy(routed(4), V1);

        Plan again = world.pass();
        Plan andAgain = world.pass();

        assertThat(again.transitions()).isEmpty();
        assertThat(andAgain.transitions()).isEmpty();
        assertThat(andAgain.status().history).hasSize(1);
        assertThat(andAgain.status().phase).isEqualTo(Phase.HEALTHY);
    }

    @Test
    void doesNotMistakeADeploymentOfAnotherBuildForTheRelease() {
        World world = new World(routed(2), V1);
        world.pass();
        ReleaseSnapshot rebuilt = V1.copy();
        rebuilt.image = image("v1-rebuilt");

        world.stable = ready(rebuilt, 2);
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(plan.status().stable).isNull();
    }

    // ---- canary with a traffic router -----------------------------------------------------

    @Test
    void movesTheWeightOnlyOnceTheCanaryCanCarryItAndPausesForTheDuration() {
        World world =
                World.healthy(
                        routed(
                                10,
                                Step.weight(10),
                                Step.pause("5s"),
                                Step.weight(50),
                                Step.weight(100)),
                        V1);
        world.wanted = V2;

        Plan started = world.pass();
        world.canary = new TrackState(V2.identity(), 1, 1, 1, 0, true);
        Plan starting = world.pass();
        world.canary = ready(V2, 1);
        Plan atTen = world.pass();
        world.later(Duration.ofSeconds(3));
        Plan stillPaused = world.pass();
        world.later(Duration.ofSeconds(2));
        Plan pauseOver = world.pass();

        assertThat(reasons(started)).containsExactly(Reasons.CANARY_STARTED);
        assertThat(started.desired().canaryRelease().sameRelease(V2)).isTrue();
        assertThat(started.desired().canaryReplicas()).isEqualTo(1);
        assertThat(started.desired().canaryWeight()).isZero();
        assertThat(started.status().canaryWeight).isZero();
        assertThat(starting.desired().canaryWeight()).isZero();
        assertThat(starting.transitions()).isEmpty();
        assertThat(atTen.desired().canaryWeight()).isEqualTo(10);
        assertThat(atTen.status().canaryWeight).isEqualTo(10);
        assertThat(atTen.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(reasons(atTen)).containsExactly(Reasons.WEIGHT_CHANGED, Reasons.PAUSED);
        assertThat(atTen.requeueAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stillPaused.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(stillPaused.transitions()).isEmpty();
        assertThat(stillPaused.requeueAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(reasons(pauseOver)).containsExactly(Reasons.PAUSE_ENDED);
        assertThat(pauseOver.status().currentStepIndex).isEqualTo(2);
        assertThat(pauseOver.desired().canaryReplicas()).isEqualTo(5);
        assertThat(pauseOver.desired().canaryWeight()).isEqualTo(10);
    }

    @Test
    void promotesAfterTheLastStepOnceTheStableTrackRunsTheCanary() {
        World world = World.healthy(routed(10, Step.weight(50), Step.weight(100)), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        Plan atFifty = world.pass();
        world.settle();

        Plan promoting = world.pass();
        world.stable = new TrackState(V2.identity(), 10, 12, 10, 9, true);
        Plan stableRolling = world.pass();
        world.settle();
        Plan promoted = world.pass();

        assertThat(atFifty.status().canaryWeight).isEqualTo(50);
        assertThat(reasons(promoting)).containsExactly(Reasons.WEIGHT_CHANGED, Reasons.PROMOTING);
        assertThat(promoting.status().promoting).isTrue();
        assertThat(promoting.desired().stableRelease().sameRelease(V2)).isTrue();
        assertThat(promoting.desired().stableReplicas()).isEqualTo(10);
        assertThat(promoting.desired().canaryReplicas()).isEqualTo(10);
        assertThat(promoting.desired().canaryWeight()).isEqualTo(100);
        assertThat(promoting.status().stable.sameRelease(V1)).isTrue();
        assertThat(stableRolling.status().stable.sameRelease(V1)).isTrue();
        assertThat(stableRolling.status().history).hasSize(1);
        assertThat(stableRolling.transitions()).isEmpty();
        assertThat(promoted.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(promoted.status().stable.sameRelease(V2)).isTrue();
        assertThat(promoted.status().history)
                .extracting(h -> h.version)
                .containsExactly("v1", "v2");
        assertThat(promoted.status().canary).isNull();
        assertThat(promoted.status().canaryWeight).isZero();
        assertThat(promoted.status().promoting).isNull();
        assertThat(promoted.status().currentStepIndex).isNull();
        assertThat(reasons(promoted)).containsExactly(Reasons.PROMOTED);
        assertThat(promoted.desired().stableRelease().sameRelease(V2)).isTrue();
        assertThat(promoted.desired().canaryReplicas()).isZero();
        assertThat(promoted.desired().canaryWeight()).isZero();
        assertThat(promoted.status().replicas).isEqualTo(10);
    }

    @Test
    void keepsTheStableTrackOnLastGoodAtFullReplicasWhileStepsRun() {
        World world =
                World.healthy(
                        routed(
                                10,
                                Step.weight(10),
                                Step.pause("5s"),
                                Step.weight(33),
                                Step.pause(null),
                                Step.weight(99),
                                Step.weight(100)),
                        V1);
        world.wanted = V2;
        List<Plan> plans = new ArrayList<>();

        for (int pass = 0; pass < 30 && !Boolean.TRUE.equals(world.status.promoting); pass++) {
            plans.add(world.pass());
            world.settle();
            world.later(Duration.ofSeconds(2));
            world.promote = "pass-" + pass;
        }

        assertThat(plans).hasSizeGreaterThan(5);
        assertThat(plans.subList(0, plans.size() - 1))
                .allSatisfy(
                        p -> {
                            assertThat(p.desired().stableRelease().sameRelease(V1)).isTrue();
                            assertThat(p.desired().stableReplicas()).isEqualTo(10);
                            assertThat(p.status().stable.sameRelease(V1)).isTrue();
                        });
        assertThat(plans)
                .extracting(p -> p.desired().canaryWeight())
                .isSorted()
                .contains(10, 33, 100);
        assertThat(plans.get(plans.size() - 1).status().promoting).isTrue();
    }

    @Test
    void cancelsTheCanaryWhenTheSpecPointsBackAtTheStableRelease() {
        World world = World.healthy(routed(4, Step.weight(50), Step.weight(100)), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();

        world.wanted = V1;
        Plan plan = world.pass();

        assertThat(reasons(plan)).containsExactly(Reasons.CANARY_CANCELLED);
        assertThat(plan.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(plan.status().canary).isNull();
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
    }

    @Test
    void promotesStraightAwayWithoutSteps() {
        World world = World.healthy(routed(3), V1);
        world.wanted = V2;

        Plan plan = world.pass();

        assertThat(reasons(plan)).containsExactly(Reasons.CANARY_STARTED, Reasons.PROMOTING);
        assertThat(plan.desired().stableRelease().sameRelease(V2)).isTrue();
        assertThat(plan.desired().canaryWeight()).isZero();
    }

    // ---- analysis -----------------------------------------------------------------------

    @Test
    void rollsBackAtOnceWhenAMeasurementFails() {
        World world = analysedCanaryAtTenPercent();

        world.round = List.of(outcome(Result.FAILED));
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(plan.status().canaryWeight).isZero();
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(plan.desired().stableReplicas()).isEqualTo(10);
        assertThat(plan.status().stable.sameRelease(V1)).isTrue();
        assertThat(plan.status().failedReleases).containsExactly(V2.key());
        assertThat(plan.requeueAfter()).isNull();
        assertThat(plan.transitions())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.warning()).isTrue();
                            assertThat(t.reason()).isEqualTo(Reasons.ROLLED_BACK);
                            assertThat(t.detail()).isEqualTo(Reasons.ANALYSIS_FAILED);
                            assertThat(t.message()).contains(METRIC, "v2", "v1");
                        });
    }

    @Test
    void movesNoTrafficWhileADueRoundIsStillQuerying() {
        World world = World.healthy(analysed(routed(10, Step.weight(10), Step.weight(100))), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();
        world.pass();
        world.settle(); // the canary now has the pods 100% needs
        world.later(Duration.ofMinutes(1));

        world.roundRunning = true;
        Plan held = world.pass();
        world.roundRunning = false;
        world.round = List.of(outcome(Result.FAILED));
        Plan measured = world.pass();

        assertThat(held.status().canaryWeight).isEqualTo(10);
        assertThat(held.desired()).as("nothing is written while the round runs").isNull();
        assertThat(measured.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(measured.desired().canaryWeight()).isZero();
    }

    /**
     * A pass wrote the route's next weight and the operator died before its status write; the next
     * operator finds its round for the step still querying. It must not send the traffic back to
     * the weight the status still names (ChaosKillIT saw 50 -> 20 -> 50).
     */
    @Test
    void aRunningRoundDoesNotSendTrafficBackToAStatusThatLagsTheRoute() {
        World world = analysedCanaryAtTenPercent();
        world.route = 50; // written by a pass whose status write never happened
        world.later(Duration.ofMinutes(1));

        world.roundRunning = true;
        Plan held = world.pass();

        assertThat(held.desired()).isNull();
        assertThat(world.route).isEqualTo(50);
        assertThat(held.status().canaryWeight).as("the status is left as it was").isEqualTo(10);
    }

    @Test
    void waitsForARunningRoundToEndInsteadOfPollingForIt() {
        World world = analysedCanaryAtTenPercent();
        world.later(Duration.ofMinutes(1));

        Plan due = world.pass();
        world.roundRunning = true;
        Plan running = world.pass();
        Instant queried = world.now;
        world.later(Duration.ofSeconds(3));
        world.roundRunning = false;
        world.round = List.of(outcome(Result.SUCCESSFUL));
        world.roundStartedAt = queried;
        Plan ended = world.pass();

        assertThat(due.requeueAfter()).as("a round is due: at once").isZero();
        assertThat(running.requeueAfter())
                .as("its end wakes the Rollout; the requeue is only a fallback")
                .isEqualTo(Planner.ROUND_RUNNING_RECHECK);
        assertThat(running.status().analysis.lastRoundAt)
                .isEqualTo(due.status().analysis.lastRoundAt);
        assertThat(ended.status().analysis.lastRoundAt)
                .as("a round is dated by when it queried")
                .isEqualTo(queried.toString());
        assertThat(ended.requeueAfter()).isPositive();
    }

    @Test
    void toleratesInconclusiveRoundsUpToTheLimit() {
        World world = analysedCanaryAtTenPercent();

        world.round = List.of(outcome(Result.INCONCLUSIVE));
        Plan first = world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.ERROR));
        Plan second = world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.INCONCLUSIVE));
        Plan third = world.pass();

        assertThat(first.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(second.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(second.transitions()).isEmpty();
        assertThat(third.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(third.transitions())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.detail()).isEqualTo(Reasons.ANALYSIS_INCONCLUSIVE);
                            assertThat(t.message()).contains(METRIC);
                        });
    }

    @Test
    void neverCountsInconclusiveRoundsTowardAnAnalysisGate() {
        World world = analysedCanaryAtTenPercent();

        world.round = List.of(outcome(Result.INCONCLUSIVE));
        Plan inconclusive = world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.ERROR));
        Plan error = world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.SUCCESSFUL));
        Plan oneGood = world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.SUCCESSFUL));
        Plan twoGood = world.pass();

        assertThat(List.of(inconclusive, error, oneGood))
                .allSatisfy(
                        p -> {
                            assertThat(p.status().currentStepIndex).isEqualTo(1);
                            assertThat(p.transitions()).isEmpty();
                        });
        assertThat(inconclusive.status().analysis.successfulRounds).isZero();
        assertThat(error.status().analysis.successfulRounds).isZero();
        assertThat(oneGood.status().analysis.successfulRounds).isEqualTo(1);
        assertThat(reasons(twoGood)).containsExactly(Reasons.ANALYSIS_GATE_PASSED);
        assertThat(twoGood.status().currentStepIndex).isEqualTo(2);
        assertThat(twoGood.status().analysis.metrics)
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.successful).isEqualTo(2);
                            assertThat(m.inconclusive).isEqualTo(2);
                        });
    }

    @Test
    void startsMeasuringOneIntervalAfterTheCanaryGetsTraffic() {
        World world = World.healthy(analysed(routed(10, Step.weight(10), Step.pause(null))), V1);
        world.wanted = V2;
        Plan noTraffic = world.pass();
        world.settle();
        world.later(Duration.ofSeconds(4));

        Plan traffic = world.pass();

        assertThat(noTraffic.status().analysis.lastRoundAt).isNull();
        assertThat(traffic.status().analysis.lastRoundAt).isEqualTo(world.now.toString());
        assertThat(traffic.requeueAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void keepsOnlyAFewMeasurementsHoweverLongTheCanaryRuns() {
        World world = World.healthy(analysed(routed(10, Step.weight(10), Step.pause(null))), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();

        for (int i = 0; i < 100; i++) {
            world.later(Duration.ofSeconds(10));
            world.round = List.of(outcome(Result.SUCCESSFUL));
            world.pass();
        }

        assertThat(world.status.phase).isEqualTo(Phase.PAUSED);
        assertThat(world.status.analysis.successfulRounds).isEqualTo(100);
        assertThat(world.status.analysis.metrics)
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.successful).isEqualTo(100);
                            assertThat(m.measurements).hasSizeLessThanOrEqualTo(5);
                        });
    }

    // ---- abort and promote annotations ---------------------------------------------------

    @Test
    void rollsBackWhenTheAbortAnnotationChangesAfterTheCanaryStarted() {
        World world = World.healthy(routed(10, Step.weight(50), Step.weight(100)), V1);
        world.abort = "earlier";
        world.wanted = V2;
        world.pass();
        world.settle();
        Plan atFifty = world.pass();

        world.abort = "please";
        Plan aborted = world.pass();

        assertThat(atFifty.status().canaryWeight).isEqualTo(50);
        assertThat(atFifty.status().phase).isNotEqualTo(Phase.ROLLED_BACK);
        assertThat(aborted.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(aborted.status().canaryWeight).isZero();
        assertThat(aborted.desired().canaryWeight()).isZero();
        assertThat(aborted.desired().canaryReplicas()).isZero();
        assertThat(aborted.transitions())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.reason()).isEqualTo(Reasons.ROLLED_BACK);
                            assertThat(t.detail()).isEqualTo(Reasons.ABORTED);
                        });
    }

    @Test
    void ignoresTheAbortAnnotationWhenNothingIsInFlight() {
        World world = World.healthy(routed(4, Step.weight(50)), V1);

        world.abort = "please";
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(plan.transitions()).isEmpty();
        assertThat(plan.desired().stableReplicas()).isEqualTo(4);
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
    }

    @Test
    void endsAnIndefinitePauseOnlyWhenThePromoteAnnotationChangesAfterThePauseBegan() {
        World world =
                World.healthy(routed(10, Step.weight(10), Step.pause(null), Step.weight(50)), V1);
        world.promote = "a";
        world.wanted = V2;
        world.pass();
        world.promote = "b";
        Plan changedBeforePause = world.pass();
        world.settle();
        Plan paused = world.pass();
        world.later(Duration.ofHours(1));
        Plan stillPaused = world.pass();

        world.promote = "c";
        Plan resumed = world.pass();

        assertThat(changedBeforePause.status().currentStepIndex).isZero();
        assertThat(paused.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(paused.status().promoteToken).isEqualTo("b");
        assertThat(paused.requeueAfter()).as("waits for the annotation, not a clock").isNull();
        assertThat(stillPaused.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(stillPaused.transitions()).isEmpty();
        assertThat(reasons(resumed)).containsExactly(Reasons.PAUSE_ENDED);
        assertThat(resumed.status().currentStepIndex).isEqualTo(2);
    }

    // ---- a new release while another is in flight ----------------------------------------

    @Test
    void replacesTheCanaryInFlightWithANewReleaseFromStepZero() {
        World world = analysedCanaryAtTenPercent();
        world.round = List.of(outcome(Result.SUCCESSFUL));
        world.pass();
        world.later(Duration.ofSeconds(10));
        world.round = List.of(outcome(Result.INCONCLUSIVE));
        Plan v2 = world.pass();

        world.wanted = V3;
        Plan v3 = world.pass();
        Plan v3Again = world.pass();

        assertThat(v2.status().analysis.successfulRounds).isEqualTo(1);
        assertThat(reasons(v3)).containsExactly(Reasons.CANARY_CANCELLED, Reasons.CANARY_STARTED);
        assertThat(v3.status().canary.sameRelease(V3)).isTrue();
        assertThat(v3.status().currentStepIndex).isZero();
        assertThat(v3.status().canaryWeight).isZero();
        assertThat(v3.status().analysis.successfulRounds).isZero();
        assertThat(v3.status().analysis.gateStartRounds).isZero();
        assertThat(v3.status().analysis.metrics).isEmpty();
        assertThat(v3.status().analysis.lastRoundAt).isNull();
        assertThat(v3.desired().canaryRelease().sameRelease(V3)).isTrue();
        assertThat(v3.desired().canaryWeight()).isZero();
        assertThat(v3.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(v3Again.desired().canaryWeight())
                .as("pods of v2 do not carry v3's weight")
                .isZero();
    }

    // ---- after a rollback ----------------------------------------------------------------

    @Test
    void keepsARolledBackReleaseRolledBackWhileTheSpecNamesIt() {
        World world = abortedCanary();

        List<Plan> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            world.later(Duration.ofMinutes(30));
            world.settle();
            later.add(world.pass());
        }

        assertThat(later)
                .allSatisfy(
                        p -> {
                            assertThat(p.status().phase).isEqualTo(Phase.ROLLED_BACK);
                            assertThat(p.transitions()).isEmpty();
                            assertThat(p.desired().canaryReplicas()).isZero();
                            assertThat(p.desired().canaryWeight()).isZero();
                            assertThat(p.requeueAfter()).isNull();
                        });
    }

    @ParameterizedTest(name = "after phase {0}")
    @ValueSource(strings = {Phase.REJECTED, Phase.DEGRADED})
    void keepsARolledBackReleaseRolledBackAfterTheReconcilerOverwroteThePhase(String phase) {
        World world = abortedCanary();
        world.status.phase = phase;
        world.status.message = "BuildRelease shop-builds/shop-v2 does not exist";

        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(plan.status().message).contains("v2", "v1");
        assertThat(plan.transitions()).isEmpty();
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
    }

    @Test
    void sendsNoTrafficToAFailedReleaseAfterItWasBrieflyRejected() {
        World world = analysedCanaryAtTenPercent();
        world.round = List.of(outcome(Result.FAILED));
        world.pass();
        world.settle();
        world.status.phase = Phase.REJECTED;
        world.later(Duration.ofMinutes(5));

        Plan recovered = world.pass();
        world.settle();
        Plan later = world.pass();

        assertThat(List.of(recovered, later))
                .allSatisfy(
                        p -> {
                            assertThat(p.status().phase).isEqualTo(Phase.ROLLED_BACK);
                            assertThat(p.desired().canaryReplicas()).isZero();
                            assertThat(p.desired().canaryWeight()).isZero();
                            assertThat(p.transitions()).isEmpty();
                        });
    }

    @Test
    void resumesACanaryInFlightAfterTheReleaseWasBrieflyRejected() {
        World world = World.healthy(routed(10, Step.weight(10), Step.pause(null)), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();
        world.status.phase = Phase.REJECTED;

        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(plan.desired().canaryWeight()).isEqualTo(10);
    }

    @Test
    void returnsToHealthyWhenTheSpecPointsBackAtTheStableRelease() {
        World world = abortedCanary();

        world.wanted = V1;
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(plan.status().canary).isNull();
        assertThat(plan.transitions()).isEmpty();
        assertThat(plan.desired().canaryReplicas()).isZero();
    }

    @Test
    void runsTheStepsAgainWhenAFailedReleaseIsNamedAgain() {
        World world = abortedCanary();
        world.wanted = V1;
        world.pass();

        world.wanted = V2;
        Plan plan = world.pass();

        assertThat(reasons(plan)).containsExactly(Reasons.CANARY_STARTED);
        assertThat(plan.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(plan.status().currentStepIndex).isZero();
        assertThat(plan.status().fastTrack).isNull();
        assertThat(plan.status().canaryWeight).isZero();
    }

    @Test
    void neverFastTracksAFailedReleaseEvenWhenItIsInHistory() {
        World world = World.healthy(routed(4, Step.weight(50), Step.weight(100)), V1);
        world.promoteThroughSteps(V2);
        world.promoteThroughSteps(V3);
        world.wanted = V2;
        Plan fast = world.pass();
        world.abort = "stop";
        world.pass();
        world.wanted = V3;
        world.pass();

        world.wanted = V2;
        Plan again = world.pass();

        assertThat(fast.status().fastTrack).isTrue();
        assertThat(again.status().history).extracting(h -> h.version).contains("v2");
        assertThat(again.status().failedReleases).contains(V2.key());
        assertThat(again.status().fastTrack).isNull();
        assertThat(again.status().currentStepIndex).isZero();
        assertThat(again.status().canaryWeight).isZero();
    }

    // ---- fast track -----------------------------------------------------------------------

    @Test
    void fastTracksAReleaseRecordedGoodInHistory() {
        World world = World.healthy(routed(4, Step.weight(10), Step.pause(null)), V1);
        world.promoteThroughSteps(V2);

        world.wanted = V1;
        Plan started = world.pass();
        world.canary = new TrackState(V1.identity(), 4, 4, 4, 1, true);
        Plan quarter = world.pass();
        world.canary = new TrackState(V1.identity(), 4, 4, 4, 3, true);
        Plan threeQuarters = world.pass();
        world.canary = ready(V1, 4);
        Plan promoting = world.pass();
        world.settle();
        Plan promoted = world.pass();

        assertThat(started.status().fastTrack).isTrue();
        assertThat(started.transitions())
                .singleElement()
                .satisfies(t -> assertThat(t.message()).contains("fast-tracking"));
        assertThat(started.desired().canaryReplicas()).isEqualTo(4);
        assertThat(started.desired().stableReplicas()).isEqualTo(4);
        assertThat(started.desired().canaryWeight()).isZero();
        assertThat(quarter.desired().canaryWeight()).isEqualTo(25);
        assertThat(threeQuarters.desired().canaryWeight()).isEqualTo(75);
        assertThat(threeQuarters.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(reasons(promoting)).containsExactly(Reasons.WEIGHT_CHANGED, Reasons.PROMOTING);
        assertThat(promoting.desired().canaryWeight()).isEqualTo(100);
        assertThat(promoting.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(promoted.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(promoted.status().stable.sameRelease(V1)).isTrue();
        assertThat(promoted.status().fastTrack).isNull();
        assertThat(promoted.status().history)
                .extracting(h -> h.version)
                .containsExactly("v2", "v1");
    }

    @Test
    void fastTrackWithoutARouterNeverEmptiesTheStableTrackBeforeTheCanaryIsAvailable() {
        World world = World.healthy(ratio(4, Step.weight(50), Step.weight(100)), V1);
        world.promoteThroughSteps(V2);

        world.wanted = V1;
        Plan started = world.pass();
        world.canary = new TrackState(V1.identity(), 4, 4, 4, 2, true);
        Plan half = world.pass();

        assertThat(started.status().fastTrack).isTrue();
        assertThat(started.desired().stableReplicas()).isEqualTo(4);
        assertThat(started.desired().canaryReplicas()).isEqualTo(4);
        assertThat(half.desired().canaryWeight()).isEqualTo(50);
        assertThat(half.desired().stableReplicas()).isEqualTo(2);
    }

    // ---- progress deadline ----------------------------------------------------------------

    @Test
    void rollsBackWhenTheCanaryNeverBecomesAvailable() {
        RolloutSpec spec = routed(4, Step.weight(10), Step.weight(100));
        spec.progressDeadlineSeconds = 60;
        World world = World.healthy(spec, V1);
        world.wanted = V2;
        world.canary = new TrackState(V2.identity(), 1, 1, 1, 0, true);

        Plan started = world.pass();
        world.later(Duration.ofSeconds(59));
        Plan justBefore = world.pass();
        world.later(Duration.ofSeconds(1));
        Plan expired = world.pass();

        assertThat(started.requeueAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(justBefore.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(justBefore.requeueAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(expired.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(expired.desired().canaryReplicas()).isZero();
        assertThat(expired.transitions())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.reason()).isEqualTo(Reasons.ROLLED_BACK);
                            assertThat(t.detail()).isEqualTo(Reasons.PROGRESS_DEADLINE_EXCEEDED);
                            assertThat(t.message()).contains("60s");
                        });
    }

    @Test
    void countsTheDeadlineFromTheStartOfEachStep() {
        RolloutSpec spec = routed(4, Step.weight(10), Step.weight(50));
        spec.progressDeadlineSeconds = 60;
        World world = World.healthy(spec, V1);
        world.wanted = V2;
        world.pass();
        world.later(Duration.ofSeconds(50));
        world.settle();
        world.pass();

        world.later(Duration.ofSeconds(50));
        Plan plan = world.pass();

        assertThat(plan.status().currentStepIndex).isEqualTo(1);
        assertThat(plan.status().phase).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void rollsBackWhenThePromotionNeverBecomesAvailable() {
        RolloutSpec spec = routed(4, Step.weight(100));
        spec.progressDeadlineSeconds = 60;
        World world = World.healthy(spec, V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        Plan promoting = world.pass();
        world.stable = new TrackState(V2.identity(), 4, 5, 1, 4, true);

        world.later(Duration.ofSeconds(60));
        Plan expired = world.pass();

        assertThat(promoting.status().promoting).isTrue();
        assertThat(expired.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(expired.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(expired.transitions())
                .singleElement()
                .satisfies(
                        t -> assertThat(t.detail()).isEqualTo(Reasons.PROGRESS_DEADLINE_EXCEEDED));
    }

    @Test
    void neverPromotesACanaryThatAnalysisNeverMeasured() {
        // One replica without a router: a 20% step gives the canary no pod and so no traffic.
        RolloutSpec spec = analysed(ratio(1, Step.weight(20), Step.pause("10s")));
        spec.progressDeadlineSeconds = 30;
        World world = World.healthy(spec, V1);
        world.wanted = V2;

        for (int pass = 0; pass < 10 && !Phase.ROLLED_BACK.equals(world.status.phase); pass++) {
            world.pass();
            world.settle();
            world.later(Duration.ofSeconds(10));
            world.measureIfDue(Result.FAILED);
        }

        assertThat(world.status.phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(world.status.stable.sameRelease(V1)).isTrue();
        assertThat(world.status.history).noneMatch(h -> h.sameRelease(V2));
        assertThat(world.status.message).contains("never measured");
    }

    // ---- restarts --------------------------------------------------------------------------

    @Test
    void plansTheSameFromTheSameObservation() {
        World world =
                World.healthy(
                        analysed(
                                routed(
                                        10,
                                        Step.weight(10),
                                        Step.pause("5s"),
                                        Step.analysis(1),
                                        Step.weight(100))),
                        V1);
        world.wanted = V2;

        for (int pass = 0; pass < 12; pass++) {
            Observation seen = world.observation();
            RolloutStatus before = StatusCopy.of(seen.previous());

            Plan first = Planner.plan(seen);
            Plan second = Planner.plan(seen);

            assertThat(second.status()).usingRecursiveComparison().isEqualTo(first.status());
            assertThat(second.desired()).usingRecursiveComparison().isEqualTo(first.desired());
            assertThat(second.transitions()).isEqualTo(first.transitions());
            assertThat(second.requeueAfter()).isEqualTo(first.requeueAfter());
            assertThat(seen.previous()).usingRecursiveComparison().isEqualTo(before);
            world.status = first.status();
            world.plan = first;
            world.settle();
            world.later(Duration.ofSeconds(5));
            world.measureIfDue(Result.SUCCESSFUL);
        }

        assertThat(world.status.phase).isEqualTo(Phase.HEALTHY);
        assertThat(world.status.stable.sameRelease(V2)).isTrue();
    }

    @Test
    void announcesNothingTwiceWhenNothingChanged() {
        World world =
                World.healthy(
                        routed(
                                10,
                                Step.weight(10),
                                Step.pause("5s"),
                                Step.pause(null),
                                Step.weight(50),
                                Step.weight(100)),
                        V1);
        world.wanted = V2;
        int passes = 0;

        do {
            Plan plan = world.pass();
            Plan replay = world.pass();

            assertThat(replay.transitions()).as("pass %d", passes).isEmpty();
            assertThat(replay.desired()).usingRecursiveComparison().isEqualTo(plan.desired());
            assertThat(replay.status().phase).isEqualTo(plan.status().phase);
            world.settle();
            world.later(Duration.ofSeconds(3));
            world.promote = "pass-" + passes;
            assertThat(++passes).isLessThan(20);
        } while (world.status.canary != null);

        assertThat(world.status.phase).isEqualTo(Phase.HEALTHY);
        assertThat(world.status.stable.sameRelease(V2)).isTrue();
    }

    @Test
    void announcesNothingTwiceAfterARollback() {
        World world = analysedCanaryAtTenPercent();
        world.round = List.of(outcome(Result.FAILED));
        world.pass();

        Plan replay = world.pass();

        assertThat(replay.transitions()).isEmpty();
        assertThat(replay.status().phase).isEqualTo(Phase.ROLLED_BACK);
    }

    // ---- replica ratio, history ------------------------------------------------------------

    @Test
    void warnsWhenTheReplicasCannotExpressTheWeight() {
        World world = World.healthy(ratio(1, Step.weight(10), Step.pause(null)), V1);
        world.wanted = V2;

        Plan plan = world.pass();

        assertThat(plan.transitions())
                .filteredOn(t -> t.reason().equals(Reasons.WEIGHT_APPROXIMATED))
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.warning()).isTrue();
                            assertThat(t.message()).contains("10%", "0%");
                        });
        assertThat(plan.status().canaryWeight).isZero();
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().stableReplicas()).isEqualTo(1);
        assertThat(plan.status().phase).isEqualTo(Phase.PAUSED);
    }

    @Test
    void splitsReplicasWithoutARouterKeepingStableUntilTheCanaryIsAvailable() {
        World world = World.healthy(ratio(10, Step.weight(10), Step.weight(50)), V1);
        world.wanted = V2;

        Plan waitingForTen = world.pass();
        world.settle();
        Plan atTen = world.pass();
        world.canary = new TrackState(V2.identity(), 5, 5, 5, 3, true);
        Plan waitingForFifty = world.pass();

        assertThat(waitingForTen.desired().canaryReplicas()).isEqualTo(1);
        assertThat(waitingForTen.desired().stableReplicas()).isEqualTo(10);
        assertThat(atTen.desired().canaryWeight()).isEqualTo(10);
        assertThat(atTen.desired().canaryReplicas()).isEqualTo(5);
        assertThat(atTen.desired().stableReplicas()).isEqualTo(9);
        assertThat(waitingForFifty.desired().stableReplicas()).isEqualTo(9);
    }

    @Test
    void neverEmptiesTheStableTrackOfASingleReplicaBeforeTheCanaryIsAvailable() {
        World world = World.healthy(ratio(1, Step.weight(100)), V1);
        world.wanted = V2;

        Plan waiting = world.pass();
        world.settle();
        Plan promoting = world.pass();

        assertThat(waiting.desired().canaryReplicas()).isEqualTo(1);
        assertThat(waiting.desired().stableReplicas()).isEqualTo(1);
        assertThat(waiting.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(promoting.status().promoting).isTrue();
        assertThat(promoting.desired().canaryWeight()).isEqualTo(100);
    }

    @Test
    void keepsHistoryWithinTheRevisionHistoryLimit() {
        RolloutSpec spec = routed(2);
        spec.revisionHistoryLimit = 2;
        World world = World.healthy(spec, V1);

        world.promoteThroughSteps(V2);
        world.promoteThroughSteps(V3);
        world.promoteThroughSteps(release("v4"));

        assertThat(world.status.history).extracting(h -> h.version).containsExactly("v3", "v4");
        assertThat(world.status.stable.version).isEqualTo("v4");
    }

    @Test
    void keepsTenHistoryEntriesByDefault() {
        World world = World.healthy(routed(1), V1);

        for (int i = 2; i <= 14; i++) {
            world.promoteThroughSteps(release("v" + i));
        }

        assertThat(world.status.history).hasSize(RolloutSpec.DEFAULT_REVISION_HISTORY_LIMIT);
        assertThat(world.status.history.get(9).version).isEqualTo("v14");
    }

    // ---- scenarios -------------------------------------------------------------------------

    /** v1 stable, v2 at 10% with analysis running, waiting at the analysis gate (step 1). */
    static World analysedCanaryAtTenPercent() {
        World world =
                World.healthy(
                        analysed(routed(10, Step.weight(10), Step.analysis(2), Step.weight(100))),
                        V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        Plan atTen = world.pass();
        assertThat(atTen.status().canaryWeight).isEqualTo(10);
        assertThat(atTen.status().currentStepIndex).isEqualTo(1);
        world.later(Duration.ofSeconds(10));
        return world;
    }

    /** v1 stable, v2 aborted at 50%. */
    static World abortedCanary() {
        World world = World.healthy(routed(10, Step.weight(50), Step.weight(100)), V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();
        world.abort = "stop";
        Plan aborted = world.pass();
        assertThat(aborted.status().phase).isEqualTo(Phase.ROLLED_BACK);
        world.settle();
        return world;
    }

    // ---- break-glass rollback ---------------------------------------------------------------

    @Test
    void treatsARouteSentBackToStableByAPersonAsAnAbortInsteadOfFightingIt() {
        World world = pausedCanaryAt20(routed(4, Step.weight(20), Step.pause(null)));

        world.route = 0;
        Plan plan = world.pass();
        Plan next = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(plan.status().message).contains("break-glass");
        assertThat(plan.status().failedReleases).containsExactly(V2.key());
        assertThat(plan.desired().canaryWeight()).isZero();
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
        assertThat(plan.transitions())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.reason()).isEqualTo(Reasons.ROLLED_BACK);
                            assertThat(t.detail()).isEqualTo(Reasons.ABORTED);
                        });
        assertThat(next.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(next.desired().canaryWeight()).isZero();
        assertThat(next.transitions()).isEmpty();
    }

    @Test
    void treatsACanaryScaledToZeroByAPersonAsAnAbort() {
        World world = pausedCanaryAt20(ratio(5, Step.weight(20), Step.pause(null)));

        world.canary = new TrackState(V2.identity(), 0, 0, 0, 0, true);
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(plan.desired().canaryReplicas()).isZero();
        assertThat(plan.desired().stableReplicas()).isEqualTo(5);
    }

    @Test
    void keepsTheCanaryWhileTheRouteCarriesItsWeight() {
        World world = pausedCanaryAt20(routed(4, Step.weight(20), Step.pause(null)));

        Plan plan = world.pass();

        assertThat(world.route).isEqualTo(20);
        assertThat(plan.status().phase).isEqualTo(Phase.PAUSED);
        assertThat(plan.desired().canaryWeight()).isEqualTo(20);
    }

    @Test
    void completesAPromotionWhoseRouteWasAlreadyResetBeforeTheOperatorDied() {
        World world = promotingV2();
        world.settle();

        world.route = 0;
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(plan.status().stable.sameRelease(V2)).isTrue();
        assertThat(reasons(plan)).containsExactly(Reasons.PROMOTED);
    }

    @Test
    void aHandedOverPromotionIsNotMistakenForABreakGlassRollbackAfterARestart() {
        World world = promotingV2();
        assertThat(world.status.canaryWeight).isEqualTo(100);

        // The operator died after its last promotion writes (route to stable, canary to zero)
        // and before recording them; on restart the stable track, running V2, is not yet
        // reported fully available.
        world.route = 0;
        world.canary = new TrackState(V2.identity(), 0, 0, 0, 0, true);
        world.stable = new TrackState(V2.identity(), 4, 4, 4, 3, true);
        Plan restarted = world.pass();

        assertThat(restarted.status().phase).isEqualTo(Phase.PROGRESSING);
        assertThat(restarted.status().failedReleases).isEmpty();
        assertThat(restarted.transitions()).isEmpty();
        assertThat(restarted.desired().canaryWeight()).isZero();
        assertThat(restarted.desired().canaryReplicas()).isZero();
        assertThat(restarted.desired().stableRelease().sameRelease(V2)).isTrue();

        world.stable = ready(V2, 4);
        Plan done = world.pass();

        assertThat(done.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(done.status().stable.sameRelease(V2)).isTrue();
        assertThat(reasons(done)).containsExactly(Reasons.PROMOTED);
    }

    /**
     * The passes that started and finished the promotion both died before their status writes: the
     * status still shows the canary at 50%, the cluster a finished promotion. That is no
     * break-glass rollback (the stable track runs the canary's release), and the promotion is
     * recorded.
     */
    @Test
    void aPromotionWhoseStatusWritesWereAllLostIsRecordedNotRolledBack() {
        World world = World.healthy(routed(4, Step.weight(50), Step.weight(100)), V1);
        world.wanted = V2;
        for (int i = 0; i < 10 && !Integer.valueOf(50).equals(world.status.canaryWeight); i++) {
            world.pass();
            world.settle();
        }
        assertThat(world.status.canaryWeight).isEqualTo(50);
        assertThat(world.status.promoting).isNotEqualTo(Boolean.TRUE);

        world.route = 0;
        world.canary = new TrackState(V2.identity(), 0, 0, 0, 0, true);
        world.stable = ready(V2, 4);
        Plan restarted = world.pass();

        assertThat(restarted.status().phase).isEqualTo(Phase.HEALTHY);
        assertThat(restarted.status().stable.sameRelease(V2)).isTrue();
        assertThat(restarted.status().failedReleases).isEmpty();
        assertThat(reasons(restarted)).containsExactly(Reasons.PROMOTED);
        assertThat(restarted.desired().canaryWeight()).isZero();
    }

    /**
     * One pass ends a pause, reaches the next weight at once (one replica) and enters the next
     * pause: that pause is announced too, although the phase read PAUSED all along.
     */
    @Test
    void aPauseEnteredInThePassThatEndedThePreviousOneIsAnnounced() {
        World world =
                World.healthy(
                        routed(
                                1,
                                Step.weight(10),
                                Step.pause("4s"),
                                Step.weight(30),
                                Step.pause("4s"),
                                Step.weight(100)),
                        V1);
        world.wanted = V2;
        for (int i = 0; i < 10 && !Phase.PAUSED.equals(world.status.phase); i++) {
            world.pass();
            world.settle();
        }
        assertThat(world.status.currentStepIndex).isEqualTo(1);

        world.later(Duration.ofSeconds(5));
        Plan next = world.pass();

        assertThat(next.status().currentStepIndex).isEqualTo(3);
        assertThat(reasons(next))
                .containsExactly(Reasons.PAUSE_ENDED, Reasons.WEIGHT_CHANGED, Reasons.PAUSED);
        assertThat(world.pass().transitions()).as("announced once").isEmpty();
    }

    @Test
    void aBreakGlassRollbackDuringAPromotionIsStillAnAbort() {
        World world = promotingV2();

        // kubectl lastgood rollback --break-glass: route to stable, stable back to V1.
        world.route = 0;
        world.stable = ready(V1, 4);
        Plan plan = world.pass();

        assertThat(plan.status().phase).isEqualTo(Phase.ROLLED_BACK);
        assertThat(plan.status().message).contains("break-glass");
        assertThat(plan.desired().stableRelease().sameRelease(V1)).isTrue();
    }

    /** V1 healthy, V2 through its steps 50% and 100% and being promoted. */
    private static World promotingV2() {
        World world = World.healthy(routed(4, Step.weight(50), Step.weight(100)), V1);
        world.wanted = V2;
        for (int i = 0; i < 10 && !Boolean.TRUE.equals(world.status.promoting); i++) {
            world.pass();
            world.settle();
        }
        assertThat(world.status.promoting).isTrue();
        return world;
    }

    /** V1 healthy, V2 a canary carrying 20% and paused until promoted. */
    private static World pausedCanaryAt20(RolloutSpec spec) {
        World world = World.healthy(spec, V1);
        world.wanted = V2;
        world.pass();
        world.settle();
        world.pass();
        world.settle();
        assertThat(world.status.phase).isEqualTo(Phase.PAUSED);
        assertThat(world.status.canaryWeight).isEqualTo(20);
        return world;
    }

    // ---- fixtures --------------------------------------------------------------------------

    /**
     * A fake of what the reconciler observes: a clock, the two Deployments, the annotations; and
     * the status it writes back after each pass.
     */
    static final class World {
        final RolloutSpec spec;
        RolloutStatus status;
        ReleaseSnapshot wanted;
        TrackState stable = TrackState.MISSING;
        TrackState canary = TrackState.MISSING;
        Integer route;
        String promote;
        String abort;
        List<Outcome> round;
        Instant roundStartedAt;
        boolean roundRunning;
        Instant now = T0;
        Plan plan;

        World(RolloutSpec spec, ReleaseSnapshot wanted) {
            this.spec = spec;
            this.wanted = wanted;
        }

        /** A Rollout whose first release is deployed and recorded as last-good. */
        static World healthy(RolloutSpec spec, ReleaseSnapshot first) {
            World world = new World(spec, first);
            world.pass();
            world.settle();
            world.pass();
            assertThat(world.status.phase).isEqualTo(Phase.HEALTHY);
            return world;
        }

        Observation observation() {
            return new Observation(
                    1,
                    spec,
                    status,
                    wanted,
                    stable,
                    canary,
                    route,
                    promote,
                    abort,
                    round,
                    roundStartedAt,
                    roundRunning,
                    now);
        }

        /** One reconcile: plan, then write the status. */
        Plan pass() {
            plan = Planner.plan(observation());
            status = plan.status();
            round = null;
            roundStartedAt = null;
            // The reconciler applies the route in the same pass, before it writes the status;
            // a plan without desired objects touches nothing.
            if (plan.desired() != null) {
                route = spec.traffic == null ? null : plan.desired().canaryWeight();
            }
            return plan;
        }

        /** The Deployments become what the last plan asked for, every pod available. */
        void settle() {
            stable = ready(plan.desired().stableRelease(), plan.desired().stableReplicas());
            canary = ready(plan.desired().canaryRelease(), plan.desired().canaryReplicas());
            route = spec.traffic == null ? null : plan.desired().canaryWeight();
        }

        void later(Duration d) {
            now = now.plus(d);
        }

        /** Takes a round for the next pass when the reconciler would. */
        void measureIfDue(Result result) {
            round =
                    AnalysisSchedule.due(spec.analysis, status, wanted, now)
                            ? List.of(outcome(result))
                            : null;
        }

        /** Runs {@code release} through every step until it is the stable release. */
        void promoteThroughSteps(ReleaseSnapshot release) {
            wanted = release;
            for (int i = 0; i < 20 && !release.sameRelease(status.stable); i++) {
                pass();
                settle();
                later(Duration.ofMinutes(1));
                promote = "promote-" + i;
            }
            assertThat(status.stable.sameRelease(release)).isTrue();
            assertThat(status.phase).isEqualTo(Phase.HEALTHY);
        }
    }

    static TrackState ready(ReleaseSnapshot release, int replicas) {
        return new TrackState(release.identity(), replicas, replicas, replicas, replicas, true);
    }

    static List<String> reasons(Plan plan) {
        return plan.transitions().stream().map(Transition::reason).toList();
    }

    static ReleaseSnapshot release(String version) {
        ReleaseSnapshot r = new ReleaseSnapshot();
        r.releaseName = "shop-" + version;
        r.releaseNamespace = "shop-builds";
        r.version = version;
        r.image = image(version);
        r.env = new ArrayList<>(List.of(new NameValue("FLAVOUR", version)));
        return r;
    }

    static String image(String seed) {
        return "registry.example/shop@sha256:" + "%064x".formatted(seed.hashCode() & 0xffffffffL);
    }

    static RolloutSpec routed(int replicas, Step... steps) {
        RolloutSpec spec = ratio(replicas, steps);
        spec.traffic = new TrafficSpec();
        spec.traffic.gatewayAPI = new GatewayApiTraffic();
        return spec;
    }

    static RolloutSpec ratio(int replicas, Step... steps) {
        RolloutSpec spec = new RolloutSpec();
        spec.environment = "production";
        spec.application = "shop";
        spec.replicas = replicas;
        spec.steps = new ArrayList<>(List.of(steps));
        return spec;
    }

    /** Adds spec.analysis: every 10s, no failure tolerated, two inconclusive tolerated. */
    static RolloutSpec analysed(RolloutSpec spec) {
        spec.analysis = new AnalysisSpec();
        spec.analysis.interval = "10s";
        spec.analysis.failureLimit = 0;
        spec.analysis.inconclusiveLimit = 2;
        MetricSpec metric = new MetricSpec();
        metric.name = METRIC;
        metric.max = 0.05;
        metric.prometheus = new PrometheusQuery();
        metric.prometheus.address = "http://prometheus:9090";
        metric.prometheus.query = "errors{version=\"{{canary.version}}\"}";
        spec.analysis.metrics.add(metric);
        return spec;
    }

    static Outcome outcome(Result result) {
        return switch (result) {
            case SUCCESSFUL -> new Outcome(METRIC, result, "0.01", null);
            case FAILED -> new Outcome(METRIC, result, "0.3", "0.3 is above max 0.05");
            case INCONCLUSIVE -> new Outcome(METRIC, result, null, "query returned no data");
            case ERROR -> new Outcome(METRIC, result, null, "HTTP 503");
        };
    }
}
