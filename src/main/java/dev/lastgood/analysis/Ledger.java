package dev.lastgood.analysis;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.AnalysisStatus;
import dev.lastgood.api.v1alpha1.Measurement;
import dev.lastgood.api.v1alpha1.MetricStatus;
import dev.lastgood.api.v1alpha1.Reasons;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the analysis counts of a canary in its status, and says when they breach the limits.
 *
 * <p>Only the last {@link #KEPT} measurements per metric stay, so the status stays small however
 * long a metrics provider is down.
 */
public final class Ledger {
    public static final int KEPT = 5;
    public static final int DEFAULT_INCONCLUSIVE_LIMIT = 2;

    private Ledger() {}

    /** A breach of the analysis limits. */
    public record Breach(String reason, String metric, String message) {}

    /** Adds one round of outcomes to the status. */
    public static void record(AnalysisStatus status, List<Outcome> round, Instant now) {
        status.lastRoundAt = now.toString();
        boolean allSuccessful = !round.isEmpty();
        for (Outcome o : round) {
            MetricStatus m = metric(status, o.metric());
            switch (o.result()) {
                case SUCCESSFUL -> m.successful++;
                case FAILED -> m.failed++;
                default -> m.inconclusive++;
            }
            allSuccessful &= o.result() == Result.SUCCESSFUL;
            m.measurements.add(measurement(o, now));
            while (m.measurements.size() > KEPT) {
                m.measurements.remove(0);
            }
        }
        if (allSuccessful) {
            status.successfulRounds++;
        }
    }

    /** The first metric whose counts exceed the limits, if any. */
    public static Optional<Breach> breach(AnalysisStatus status, AnalysisSpec spec) {
        int failureLimit = spec.failureLimit == null ? 0 : spec.failureLimit;
        int inconclusiveLimit =
                spec.inconclusiveLimit == null
                        ? DEFAULT_INCONCLUSIVE_LIMIT
                        : spec.inconclusiveLimit;
        for (MetricStatus m : status.metrics) {
            Measurement last =
                    m.measurements.isEmpty() ? null : m.measurements.get(m.measurements.size() - 1);
            String detail = last == null ? "" : ": " + describe(last);
            if (m.failed > failureLimit) {
                return Optional.of(
                        new Breach(
                                Reasons.ANALYSIS_FAILED,
                                m.name,
                                String.format(
                                        "metric %s failed %d time(s), limit %d%s",
                                        m.name, m.failed, failureLimit, detail)));
            }
            if (m.inconclusive > inconclusiveLimit) {
                return Optional.of(
                        new Breach(
                                Reasons.ANALYSIS_INCONCLUSIVE,
                                m.name,
                                String.format(
                                        "metric %s was inconclusive or in error %d time(s), limit"
                                                + " %d%s",
                                        m.name, m.inconclusive, inconclusiveLimit, detail)));
            }
        }
        return Optional.empty();
    }

    private static String describe(Measurement m) {
        return m.message != null ? m.message : m.result + " " + m.value;
    }

    private static MetricStatus metric(AnalysisStatus status, String name) {
        for (MetricStatus m : status.metrics) {
            if (m.name.equals(name)) {
                return m;
            }
        }
        MetricStatus m = new MetricStatus();
        m.name = name;
        status.metrics.add(m);
        return m;
    }

    private static Measurement measurement(Outcome o, Instant now) {
        Measurement m = new Measurement();
        m.at = now.toString();
        m.result = o.result().label();
        m.value = o.value();
        m.message = o.message();
        return m;
    }
}
