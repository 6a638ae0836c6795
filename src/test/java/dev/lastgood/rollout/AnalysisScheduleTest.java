package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.AnalysisStatus;
import dev.lastgood.api.v1alpha1.Phase;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnalysisScheduleTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final ReleaseSnapshot V2 = PlannerTest.release("v2");

    @Test
    void isDueOneIntervalAfterTheLastRound() {
        RolloutStatus status = canaryMeasuredAt(T0);

        assertThat(AnalysisSchedule.due(spec("10s"), status, V2, T0.plusSeconds(9))).isFalse();
        assertThat(AnalysisSchedule.due(spec("10s"), status, V2, T0.plusSeconds(10))).isTrue();
        assertThat(AnalysisSchedule.due(spec("10s"), status, V2, T0.plusSeconds(600))).isTrue();
    }

    @Test
    void defaultsToThirtySeconds() {
        RolloutStatus status = canaryMeasuredAt(T0);

        assertThat(AnalysisSchedule.interval(spec(null))).isEqualTo(Duration.ofSeconds(30));
        assertThat(AnalysisSchedule.due(spec(null), status, V2, T0.plusSeconds(29))).isFalse();
        assertThat(AnalysisSchedule.due(spec(null), status, V2, T0.plusSeconds(30))).isTrue();
    }

    @Test
    void isNotDueBeforeTheCanaryHadTraffic() {
        RolloutStatus status = canaryMeasuredAt(T0);
        status.analysis.lastRoundAt = null;

        assertThat(AnalysisSchedule.due(spec("10s"), status, V2, T0.plusSeconds(60))).isFalse();
    }

    @Test
    void isNotDueForAnotherRelease() {
        RolloutStatus status = canaryMeasuredAt(T0);

        boolean due =
                AnalysisSchedule.due(
                        spec("10s"), status, PlannerTest.release("v3"), T0.plusSeconds(60));

        assertThat(due).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {Phase.ROLLED_BACK, Phase.REJECTED})
    void isNotDueOnceTheCanaryIsStopped(String phase) {
        RolloutStatus status = canaryMeasuredAt(T0);
        status.phase = phase;

        assertThat(AnalysisSchedule.due(spec("10s"), status, V2, T0.plusSeconds(60))).isFalse();
    }

    @Test
    void isNotDueWithoutAnalysisOrCanary() {
        RolloutStatus noCanary = canaryMeasuredAt(T0);
        noCanary.canary = null;
        RolloutStatus noAnalysis = canaryMeasuredAt(T0);
        noAnalysis.analysis = null;
        Instant later = T0.plusSeconds(60);

        assertThat(AnalysisSchedule.due(null, canaryMeasuredAt(T0), V2, later)).isFalse();
        assertThat(AnalysisSchedule.due(spec("10s"), null, V2, later)).isFalse();
        assertThat(AnalysisSchedule.due(spec("10s"), noCanary, V2, later)).isFalse();
        assertThat(AnalysisSchedule.due(spec("10s"), noAnalysis, V2, later)).isFalse();
    }

    @Test
    void refusesAnIntervalOutsideTheSchema() {
        assertThatThrownBy(() -> AnalysisSchedule.interval(spec("10")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static AnalysisSpec spec(String interval) {
        AnalysisSpec spec = new AnalysisSpec();
        spec.interval = interval;
        return spec;
    }

    static RolloutStatus canaryMeasuredAt(Instant at) {
        RolloutStatus status = new RolloutStatus();
        status.phase = Phase.PROGRESSING;
        status.canary = V2.copy();
        status.analysis = new AnalysisStatus();
        status.analysis.lastRoundAt = at.toString();
        return status;
    }
}
