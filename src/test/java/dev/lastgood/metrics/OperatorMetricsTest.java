package dev.lastgood.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.Reasons;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

    @Test
    void exportsEveryRollbackAndRejectionReasonAtZeroBeforeTheFirstOne() {
        OperatorMetrics metrics = new OperatorMetrics();

        for (String reason : Reasons.ROLLBACK_CAUSES) {
            assertThat(value(metrics, "lastgood_rollbacks_total", reason)).isZero();
        }
        for (String reason : Reasons.REJECTIONS) {
            assertThat(value(metrics, "lastgood_releases_rejected_total", reason)).isZero();
        }
    }

    @Test
    void countsARollbackUnderItsReason() {
        OperatorMetrics metrics = new OperatorMetrics();

        metrics.rolledBack(Reasons.ABORTED);

        assertThat(value(metrics, "lastgood_rollbacks_total", Reasons.ABORTED)).isEqualTo(1.0);
        assertThat(value(metrics, "lastgood_rollbacks_total", Reasons.ANALYSIS_FAILED)).isZero();
    }

    @Test
    void replacesTheInfoSeriesOfARolloutWhenItsPhaseChanges() {
        OperatorMetrics metrics = new OperatorMetrics();

        metrics.rolloutState("ns", "kv", "Paused", "v1", "v2", 20);
        metrics.rolloutState("ns", "kv", "Healthy", "v2", null, 0);

        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_info",
                                        new String[] {
                                            "namespace", "rollout", "phase", "stable", "canary"
                                        },
                                        new String[] {"ns", "kv", "Paused", "v1", "v2"}))
                .isNull();
        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_info",
                                        new String[] {
                                            "namespace", "rollout", "phase", "stable", "canary"
                                        },
                                        new String[] {"ns", "kv", "Healthy", "v2", ""}))
                .isEqualTo(1.0);
    }

    @Test
    void aScrapeSeesEachRolloutsWeightAndInfoFromTheSameMoment() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        String[] labels = {"namespace", "rollout"};
        String[] kv = {"ns", "kv"};
        String[] infoLabels = {"namespace", "rollout", "phase", "stable", "canary"};
        Thread writer =
                new Thread(
                        () -> {
                            for (int i = 0; i < 20_000; i++) {
                                metrics.rolloutState("ns", "kv", "Promoting", "v1", "v2", 100);
                                metrics.rolloutState("ns", "kv", "Healthy", "v2", null, 0);
                            }
                        });
        writer.start();
        List<String> mixed = new ArrayList<>();
        while (writer.isAlive()) {
            var registry = metrics.registry();
            // One collection of the whole registry, as a scrape does.
            Map<String, Double> seen = new HashMap<>();
            Collections.list(registry.metricFamilySamples())
                    .forEach(
                            f ->
                                    f.samples.forEach(
                                            sm -> {
                                                if (sm.name.startsWith("lastgood_rollout_")) {
                                                    seen.put(
                                                            sm.name
                                                                    + sm.labelValues.subList(
                                                                            2,
                                                                            sm.labelValues.size()),
                                                            sm.value);
                                                }
                                            }));
            Double weight = seen.get("lastgood_rollout_canary_weight[]");
            boolean healthy = seen.containsKey("lastgood_rollout_info[Healthy, v2, ]");
            if (weight != null && healthy && weight != 0.0) {
                mixed.add("Healthy on v2 with the canary at " + weight);
            }
        }
        writer.join();

        assertThat(mixed).isEmpty();
        assertThat(metrics.registry().getSampleValue("lastgood_rollout_canary_weight", labels, kv))
                .isZero();
        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_info",
                                        infoLabels,
                                        new String[] {"ns", "kv", "Healthy", "v2", ""}))
                .isEqualTo(1.0);
    }

    @Test
    void forgetsADeletedRollout() {
        OperatorMetrics metrics = new OperatorMetrics();
        metrics.rolloutState("ns", "kv", "Paused", "v1", "v2", 20);

        metrics.forget("ns", "kv");

        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_canary_weight",
                                        new String[] {"namespace", "rollout"},
                                        new String[] {"ns", "kv"}))
                .isNull();
    }

    @Test
    void exportsTheAnalysisPoolsLoadAsOfTheScrape() {
        OperatorMetrics metrics = new OperatorMetrics();
        AtomicInteger waiting = new AtomicInteger(3);
        metrics.analysisRounds(() -> 16, waiting::get);

        assertThat(rounds(metrics, "querying")).isEqualTo(16.0);
        assertThat(rounds(metrics, "waiting")).isEqualTo(3.0);

        waiting.set(0);
        assertThat(rounds(metrics, "waiting")).isZero();
    }

    private static Double rounds(OperatorMetrics metrics, String state) {
        return metrics.registry()
                .getSampleValue(
                        "lastgood_analysis_rounds", new String[] {"state"}, new String[] {state});
    }

    private static Double value(OperatorMetrics metrics, String name, String reason) {
        return metrics.registry()
                .getSampleValue(name, new String[] {"reason"}, new String[] {reason});
    }
}
