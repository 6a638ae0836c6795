package dev.lastgood.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.AnalysisStatus;
import dev.lastgood.api.v1alpha1.MetricStatus;
import dev.lastgood.api.v1alpha1.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LedgerTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void countsEachMetricsResults() {
        AnalysisStatus status = new AnalysisStatus();

        Ledger.record(status, List.of(ok("errors"), failed("latency")), T0);
        Ledger.record(status, List.of(inconclusive("errors"), error("latency")), T0);

        assertThat(metric(status, "errors"))
                .extracting(m -> m.successful, m -> m.failed, m -> m.inconclusive)
                .containsExactly(1, 0, 1);
        assertThat(metric(status, "latency"))
                .extracting(m -> m.successful, m -> m.failed, m -> m.inconclusive)
                .containsExactly(0, 1, 1);
        assertThat(status.lastRoundAt).isEqualTo(T0.toString());
    }

    @Test
    void countsARoundSuccessfulOnlyWhenEveryMetricIs() {
        AnalysisStatus status = new AnalysisStatus();

        Ledger.record(status, List.of(ok("errors"), ok("latency")), T0);
        Ledger.record(status, List.of(ok("errors"), inconclusive("latency")), T0);
        Ledger.record(status, List.of(ok("errors"), error("latency")), T0);
        Ledger.record(status, List.of(), T0);

        assertThat(status.successfulRounds).isEqualTo(1);
    }

    @Test
    void keepsOnlyTheLatestMeasurements() {
        AnalysisStatus status = new AnalysisStatus();

        for (int i = 0; i < 100; i++) {
            Ledger.record(
                    status,
                    List.of(new Outcome("errors", Result.SUCCESSFUL, Integer.toString(i), null)),
                    T0.plus(Duration.ofSeconds(i)));
        }

        MetricStatus errors = metric(status, "errors");
        assertThat(errors.measurements).hasSize(Ledger.KEPT);
        assertThat(errors.measurements)
                .extracting(m -> m.value)
                .containsExactly("95", "96", "97", "98", "99");
        assertThat(errors.successful).isEqualTo(100);
        assertThat(status.successfulRounds).isEqualTo(100);
    }

    @Test
    void recordsMeasurementsForPeople() {
        AnalysisStatus status = new AnalysisStatus();

        Ledger.record(status, List.of(failed("errors")), T0);

        assertThat(metric(status, "errors").measurements)
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.at).isEqualTo(T0.toString());
                            assertThat(m.result).isEqualTo("Failed");
                            assertThat(m.value).isEqualTo("0.3");
                            assertThat(m.message).isEqualTo("0.3 is above max 0.05");
                        });
    }

    @Test
    void noBreachWithinTheLimits() {
        AnalysisStatus status = new AnalysisStatus();
        Ledger.record(status, List.of(failed("errors")), T0);
        Ledger.record(status, List.of(inconclusive("errors")), T0);
        Ledger.record(status, List.of(error("errors")), T0);

        Optional<Ledger.Breach> breach = Ledger.breach(status, spec(1, 2));

        assertThat(breach).isEmpty();
    }

    @Test
    void breachesOnTheFirstFailureByDefault() {
        AnalysisStatus status = new AnalysisStatus();
        Ledger.record(status, List.of(ok("latency"), failed("errors")), T0);

        Optional<Ledger.Breach> breach = Ledger.breach(status, spec(null, null));

        assertThat(breach)
                .hasValueSatisfying(
                        b -> {
                            assertThat(b.reason()).isEqualTo(Reasons.ANALYSIS_FAILED);
                            assertThat(b.metric()).isEqualTo("errors");
                            assertThat(b.message())
                                    .contains("errors", "limit 0", "0.3 is above max 0.05");
                        });
    }

    @Test
    void breachesWhenFailuresExceedTheFailureLimit() {
        AnalysisStatus status = new AnalysisStatus();
        Ledger.record(status, List.of(failed("errors")), T0);
        Ledger.record(status, List.of(failed("errors")), T0);

        assertThat(Ledger.breach(status, spec(2, 2))).isEmpty();
        Ledger.record(status, List.of(failed("errors")), T0);
        assertThat(Ledger.breach(status, spec(2, 2)))
                .map(Ledger.Breach::reason)
                .hasValue(Reasons.ANALYSIS_FAILED);
    }

    @Test
    void breachesOnlyAfterMoreThanTheDefaultInconclusiveLimit() {
        AnalysisStatus status = new AnalysisStatus();
        Ledger.record(status, List.of(inconclusive("errors")), T0);
        Ledger.record(status, List.of(error("errors")), T0);

        assertThat(Ledger.breach(status, spec(null, null))).isEmpty();
        Ledger.record(status, List.of(inconclusive("errors")), T0);
        assertThat(Ledger.breach(status, spec(null, null)))
                .hasValueSatisfying(
                        b -> {
                            assertThat(b.reason()).isEqualTo(Reasons.ANALYSIS_INCONCLUSIVE);
                            assertThat(b.message()).contains("errors", "3 time(s)", "limit 2");
                        });
    }

    @Test
    void inconclusiveLimitZeroBreachesOnTheFirstInconclusive() {
        AnalysisStatus status = new AnalysisStatus();
        Ledger.record(status, List.of(inconclusive("errors")), T0);

        assertThat(Ledger.breach(status, spec(0, 0)))
                .map(Ledger.Breach::reason)
                .hasValue(Reasons.ANALYSIS_INCONCLUSIVE);
    }

    static AnalysisSpec spec(Integer failureLimit, Integer inconclusiveLimit) {
        AnalysisSpec spec = new AnalysisSpec();
        spec.failureLimit = failureLimit;
        spec.inconclusiveLimit = inconclusiveLimit;
        return spec;
    }

    static MetricStatus metric(AnalysisStatus status, String name) {
        return status.metrics.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    static Outcome ok(String metric) {
        return new Outcome(metric, Result.SUCCESSFUL, "0.01", null);
    }

    static Outcome failed(String metric) {
        return new Outcome(metric, Result.FAILED, "0.3", "0.3 is above max 0.05");
    }

    static Outcome inconclusive(String metric) {
        return new Outcome(metric, Result.INCONCLUSIVE, null, "query returned no data");
    }

    static Outcome error(String metric) {
        return new Outcome(metric, Result.ERROR, null, "HTTP 503");
    }
}
