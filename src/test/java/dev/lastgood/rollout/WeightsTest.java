package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WeightsTest {
    static final int[] REPLICAS = {1, 2, 3, 10};
    static final int[] WEIGHTS = {0, 1, 10, 33, 50, 99, 100};

    static Stream<Arguments> replicasAndWeights() {
        return IntStream.of(REPLICAS)
                .boxed()
                .flatMap(r -> IntStream.of(WEIGHTS).mapToObj(w -> Arguments.of(r, w)));
    }

    @ParameterizedTest(name = "replicas {0}, weight {1} -> {2} canary pods")
    @CsvSource({
        "1, 0, 0", "1, 1, 1", "1, 10, 1", "1, 33, 1", "1, 50, 1", "1, 99, 1", "1, 100, 1",
        "2, 0, 0", "2, 1, 1", "2, 10, 1", "2, 33, 1", "2, 50, 1", "2, 99, 2", "2, 100, 2",
        "3, 0, 0", "3, 1, 1", "3, 10, 1", "3, 33, 1", "3, 50, 2", "3, 99, 3", "3, 100, 3",
        "10, 0, 0", "10, 1, 1", "10, 10, 1", "10, 33, 4", "10, 50, 5", "10, 99, 10", "10, 100, 10",
    })
    void routedCanaryReplicasRoundUp(int replicas, int weight, int expected) {
        int pods = Weights.routedCanaryReplicas(replicas, weight);

        assertThat(pods).isEqualTo(expected);
    }

    @ParameterizedTest(name = "replicas {0}, weight {1} -> {2} canary pods, {3}%")
    @CsvSource({
        "1, 0, 0, 0",
        "1, 1, 0, 0",
        "1, 10, 0, 0",
        "1, 33, 0, 0",
        "1, 50, 0, 0",
        "1, 99, 0, 0",
        "1, 100, 1, 100",
        "2, 0, 0, 0",
        "2, 1, 0, 0",
        "2, 10, 0, 0",
        "2, 33, 0, 0",
        "2, 50, 1, 50",
        "2, 99, 1, 50",
        "2, 100, 2, 100",
        "3, 0, 0, 0",
        "3, 1, 0, 0",
        "3, 10, 0, 0",
        "3, 33, 0, 0",
        "3, 50, 1, 33",
        "3, 99, 2, 66",
        "3, 100, 3, 100",
        "10, 0, 0, 0",
        "10, 1, 0, 0",
        "10, 10, 1, 10",
        "10, 33, 3, 30",
        "10, 50, 5, 50",
        "10, 99, 9, 90",
        "10, 100, 10, 100",
    })
    void ratioCanaryReplicasRoundDown(int replicas, int weight, int pods, int achieved) {
        int canary = Weights.ratioCanaryReplicas(replicas, weight);

        assertThat(canary).isEqualTo(pods);
        assertThat(Weights.ratioAchievedWeight(replicas, canary)).isEqualTo(achieved);
    }

    @ParameterizedTest(name = "replicas {0}, weight {1}")
    @MethodSource("replicasAndWeights")
    void routedCanaryCarriesAtLeastItsWeight(int replicas, int weight) {
        int canary = Weights.routedCanaryReplicas(replicas, weight);

        assertThat(canary * 100).isGreaterThanOrEqualTo(weight * replicas);
        assertThat(canary).isLessThanOrEqualTo(replicas);
        if (weight > 0) {
            assertThat(canary).isGreaterThanOrEqualTo(1);
        } else {
            assertThat(canary).isZero();
        }
    }

    @ParameterizedTest(name = "replicas {0}, weight {1}")
    @MethodSource("replicasAndWeights")
    void ratioSplitNeverOvershootsNorEmptiesStableBelowFullWeight(int replicas, int weight) {
        int canary = Weights.ratioCanaryReplicas(replicas, weight);

        int achieved = Weights.ratioAchievedWeight(replicas, canary);

        assertThat(achieved).isLessThanOrEqualTo(weight);
        assertThat(canary).isBetween(0, replicas);
        if (weight < 100) {
            assertThat(replicas - canary).isGreaterThanOrEqualTo(1);
        } else {
            assertThat(canary).isEqualTo(replicas);
            assertThat(achieved).isEqualTo(100);
        }
    }

    @ParameterizedTest(name = "replicas {0}, weight {1}")
    @MethodSource("replicasAndWeights")
    void carriedWeightOfTheRoutedReplicasCoversTheWeight(int replicas, int weight) {
        int canary = Weights.routedCanaryReplicas(replicas, weight);

        int carried = Weights.carriedWeight(replicas, canary);

        assertThat(carried).isGreaterThanOrEqualTo(weight).isLessThanOrEqualTo(100);
    }

    @ParameterizedTest(name = "replicas {0}, {1} available -> {2}%")
    @CsvSource({
        "1, 0, 0",
        "1, 1, 100",
        "1, 2, 100",
        "2, 0, 0",
        "2, 1, 50",
        "2, 2, 100",
        "3, 0, 0",
        "3, 1, 33",
        "3, 2, 66",
        "3, 3, 100",
        "3, 5, 100",
        "10, 0, 0",
        "10, 1, 10",
        "10, 3, 30",
        "10, 9, 90",
        "10, 10, 100",
        "0, 0, 100",
    })
    void carriedWeightIsTheShareTheAvailablePodsCanTake(int replicas, int available, int expected) {
        int carried = Weights.carriedWeight(replicas, available);

        assertThat(carried).isEqualTo(expected);
    }

    @ParameterizedTest(name = "weight {0}")
    @CsvSource({"0", "10", "100"})
    void zeroReplicasNeedNoCanaryPods(int weight) {
        assertThat(Weights.routedCanaryReplicas(0, weight)).isZero();
        assertThat(Weights.ratioCanaryReplicas(0, weight)).isZero();
        assertThat(Weights.ratioAchievedWeight(0, 0)).isZero();
    }
}
