package dev.lastgood.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.MetricSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvaluatorTest {

    @ParameterizedTest(name = "{0} in [{1}, {2}] is {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "0.5,   0,   1,    SUCCESSFUL",
                "0,     0,   1,    SUCCESSFUL",
                "1,     0,   1,    SUCCESSFUL",
                "-0.1,  0,   1,    FAILED",
                "1.01,  0,   1,    FAILED",
                "500,   -,   0.05, FAILED",
                "0.01,  -,   0.05, SUCCESSFUL",
                "0.9,   0.99, -,   FAILED",
                "0.999, 0.99, -,   SUCCESSFUL",
            })
    void judgesAValueAgainstInclusiveBounds(double value, Double min, Double max, Result expected) {
        Outcome outcome = Evaluator.evaluate(metric(min, max), QueryResult.of(value));

        assertThat(outcome.result()).isEqualTo(expected);
        assertThat(outcome.metric()).isEqualTo("error-rate");
        assertThat(outcome.value()).isNotNull();
    }

    @Test
    void explainsAFailureWithTheBoundItBroke() {
        Outcome outcome = Evaluator.evaluate(metric(null, 0.05), QueryResult.of(0.25));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.value()).isEqualTo("0.25");
        assertThat(outcome.message()).isEqualTo("0.25 is above max 0.05");
    }

    @Test
    void explainsAValueBelowMin() {
        Outcome outcome = Evaluator.evaluate(metric(10.0, null), QueryResult.of(3));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).isEqualTo("3 is below min 10");
    }

    @Test
    void aSuccessHasNoMessage() {
        Outcome outcome = Evaluator.evaluate(metric(0.0, 1.0), QueryResult.of(1));

        assertThat(outcome.result()).isEqualTo(Result.SUCCESSFUL);
        assertThat(outcome.value()).isEqualTo("1");
        assertThat(outcome.message()).isNull();
    }

    @Test
    void noDataIsInconclusiveNeverAPass() {
        Outcome outcome = Evaluator.evaluate(metric(0.0, 1.0), new QueryResult(List.of(), null));

        assertThat(outcome.result()).isEqualTo(Result.INCONCLUSIVE);
        assertThat(outcome.value()).isNull();
        assertThat(outcome.message()).contains("no data");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NaN", "Infinity", "-Infinity"})
    void nanAndInfinityAreInconclusive(double value) {
        Outcome outcome = Evaluator.evaluate(metric(0.0, null), QueryResult.of(value));

        assertThat(outcome.result()).isEqualTo(Result.INCONCLUSIVE);
        assertThat(outcome.message()).contains(Double.toString(value));
    }

    @Test
    void severalSeriesAreAnError() {
        Outcome outcome = Evaluator.evaluate(metric(0.0, 1.0), QueryResult.of(0.1, 0.2));

        assertThat(outcome.result()).isEqualTo(Result.ERROR);
        assertThat(outcome.message()).contains("2 series");
    }

    @Test
    void aProviderErrorIsAnError() {
        Outcome outcome =
                Evaluator.evaluate(metric(0.0, 1.0), QueryResult.failed("HTTP 503: overloaded"));

        assertThat(outcome.result()).isEqualTo(Result.ERROR);
        assertThat(outcome.value()).isNull();
        assertThat(outcome.message()).isEqualTo("HTTP 503: overloaded");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1, 1", "-3, -3", "0.25, 0.25", "1e15, 1.0E15", "12.0, 12"})
    void formatsWholeNumbersWithoutAFraction(double value, String text) {
        assertThat(Evaluator.format(value)).isEqualTo(text);
    }

    static MetricSpec metric(Double min, Double max) {
        MetricSpec metric = new MetricSpec();
        metric.name = "error-rate";
        metric.min = min;
        metric.max = max;
        return metric;
    }
}
