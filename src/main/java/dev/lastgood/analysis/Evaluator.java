package dev.lastgood.analysis;

import dev.lastgood.api.v1alpha1.MetricSpec;

/** Judges a query result against a metric's bounds. */
public final class Evaluator {
    private Evaluator() {}

    public static Outcome evaluate(MetricSpec metric, QueryResult answer) {
        if (answer.error() != null) {
            return new Outcome(metric.name, Result.ERROR, null, answer.error());
        }
        if (answer.samples().isEmpty()) {
            return new Outcome(metric.name, Result.INCONCLUSIVE, null, "query returned no data");
        }
        if (answer.samples().size() > 1) {
            return new Outcome(
                    metric.name,
                    Result.ERROR,
                    null,
                    "query returned " + answer.samples().size() + " series; it must return one");
        }
        double v = answer.samples().get(0);
        String text = format(v);
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return new Outcome(metric.name, Result.INCONCLUSIVE, text, "value is " + text);
        }
        if (metric.min != null && v < metric.min) {
            return new Outcome(
                    metric.name, Result.FAILED, text, text + " is below min " + format(metric.min));
        }
        if (metric.max != null && v > metric.max) {
            return new Outcome(
                    metric.name, Result.FAILED, text, text + " is above max " + format(metric.max));
        }
        return new Outcome(metric.name, Result.SUCCESSFUL, text, null);
    }

    static String format(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
