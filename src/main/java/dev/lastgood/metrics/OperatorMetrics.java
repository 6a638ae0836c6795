package dev.lastgood.metrics;

import dev.lastgood.api.v1alpha1.Reasons;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The operator's Prometheus metrics.
 *
 * <p>Label values come from small fixed sets (reasons, results, phases) or from the Rollouts
 * themselves, so the series count is bounded by the number of Rollouts.
 */
@ApplicationScoped
public class OperatorMetrics {
    private final CollectorRegistry registry = new CollectorRegistry(true);

    final Counter rollbacks =
            Counter.build(
                            "lastgood_rollbacks_total",
                            "Canaries rolled back to the last-good release, by reason.")
                    .labelNames("reason")
                    .register(registry);
    final Counter rejections =
            Counter.build(
                            "lastgood_releases_rejected_total",
                            "Releases refused by the environment guard, by reason.")
                    .labelNames("reason")
                    .register(registry);
    final Counter promotions =
            Counter.build(
                            "lastgood_promotions_total",
                            "Releases promoted and recorded as last-good.")
                    .register(registry);
    final Counter measurements =
            Counter.build(
                            "lastgood_analysis_measurements_total",
                            "Analysis measurements, by metric and result.")
                    .labelNames("metric", "result")
                    .register(registry);
    private final RolloutStates rolloutStates = new RolloutStates().register(registry);
    final Histogram reconcileDuration =
            Histogram.build(
                            "lastgood_reconcile_duration_seconds",
                            "Time one reconciliation of a Rollout takes.")
                    .buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                    .register(registry);

    public OperatorMetrics() {
        DefaultExports.register(registry);
        // Every reason starts at 0: a series born at 1 hides the first rollback or rejection
        // from increase() and rate(), which is exactly what an alert on them asks about.
        Reasons.ROLLBACK_CAUSES.forEach(reason -> rollbacks.labels(reason));
        Reasons.REJECTIONS.forEach(reason -> rejections.labels(reason));
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public void rolledBack(String reason) {
        rollbacks.labels(reason).inc();
    }

    public void rejected(String reason) {
        rejections.labels(reason).inc();
    }

    public void promoted() {
        promotions.inc();
    }

    public void measured(String metric, String result) {
        measurements.labels(metric, result).inc();
    }

    public Histogram.Timer startReconcile() {
        return reconcileDuration.startTimer();
    }

    /**
     * Exports the analysis pool's load, read at each scrape: rounds querying Prometheus, and rounds
     * due that wait for a thread (each holds its Rollout at its step until it has run).
     */
    public void analysisRounds(IntSupplier querying, IntSupplier waiting) {
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                var rounds =
                        new GaugeMetricFamily(
                                "lastgood_analysis_rounds",
                                "Analysis rounds querying Prometheus, or due and waiting for a"
                                        + " thread of the analysis pool.",
                                List.of("state"));
                rounds.addMetric(List.of("querying"), querying.getAsInt());
                rounds.addMetric(List.of("waiting"), waiting.getAsInt());
                return List.of(rounds);
            }
        }.register(registry);
    }

    /** Replaces the Rollout's info series, so a phase change leaves no stale series behind. */
    public void rolloutState(
            String namespace, String name, String phase, String stable, String canary, int weight) {
        rolloutStates.put(namespace, name, new RolloutStates.State(phase, stable, canary, weight));
    }

    /** Drops every series of a deleted Rollout. */
    public void forget(String namespace, String name) {
        rolloutStates.remove(namespace, name);
    }
}
