package dev.lastgood;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.it.WeightSequence;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chaos auditor's rule for route weights, checked without a cluster. */
class WeightSequenceTest {
    private static final List<Integer> STEPS = List.of(20, 50, 100);

    @Test
    void goodReleaseThroughEveryStepThenBackToStableIsClean() {
        assertThat(WeightSequence.problems(List.of(0, 20, 50, 100, 0), STEPS, true)).isEmpty();
    }

    @Test
    void reAppliedWeightIsNotAProblem() {
        assertThat(WeightSequence.problems(List.of(0, 0, 20, 20, 50, 50, 100, 0), STEPS, true))
                .isEmpty();
    }

    @Test
    void skippedStepIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 100, 0), STEPS, true))
                .singleElement()
                .asString()
                .contains("skipped step weight 50");
    }

    @Test
    void weightGoingBackwardsIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 50, 20, 50, 100, 0), STEPS, true))
                .singleElement()
                .asString()
                .contains("from 50 to 20");
    }

    @Test
    void trafficReturningToCanaryAfterRollbackIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 0, 20, 0), STEPS, false))
                .anySatisfy(p -> assertThat(p).contains("came back"));
    }

    @Test
    void promotionShortOfTheLastStepIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 50, 0), STEPS, true))
                .singleElement()
                .asString()
                .contains("promoted without reaching step weight 100");
    }

    @Test
    void badReleaseRolledBackAtAnyStepIsClean() {
        assertThat(WeightSequence.problems(List.of(0, 20, 0), STEPS, false)).isEmpty();
        assertThat(WeightSequence.problems(List.of(0, 20, 50, 0), STEPS, false)).isEmpty();
    }

    @Test
    void badReleaseThatReachedFullTrafficIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 50, 100, 0), STEPS, false))
                .singleElement()
                .asString()
                .contains("reached 100%");
    }

    @Test
    void routeLeftOnTheCanaryIsReported() {
        assertThat(WeightSequence.problems(List.of(0, 20, 50), STEPS, false))
                .singleElement()
                .asString()
                .contains("did not end at canary weight 0");
    }
}
