package dev.lastgood.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each Rollout's phase, versions and canary weight, exported from one snapshot.
 *
 * <p>Two plain gauges are collected one after the other: a scrape that runs while a Rollout moves
 * on could read the new phase from the info series and the old weight from the weight series (a
 * Rollout shown Healthy on its new release with the canary at 100%). Here one lock covers the
 * update and the whole collection, so both series always come from the same moment.
 */
final class RolloutStates extends Collector {
    private static final String WEIGHT = "lastgood_rollout_canary_weight";
    private static final String INFO = "lastgood_rollout_info";

    /** What one Rollout exports. */
    record State(String phase, String stable, String canary, int weight) {}

    private record Key(String namespace, String name) {}

    private final Map<Key, State> states = new HashMap<>();

    synchronized void put(String namespace, String name, State state) {
        states.put(new Key(namespace, name), state);
    }

    synchronized void remove(String namespace, String name) {
        states.remove(new Key(namespace, name));
    }

    @Override
    public synchronized List<MetricFamilySamples> collect() {
        GaugeMetricFamily weight =
                new GaugeMetricFamily(
                        WEIGHT,
                        "Percentage of traffic the canary receives.",
                        List.of("namespace", "rollout"));
        GaugeMetricFamily info =
                new GaugeMetricFamily(
                        INFO,
                        "Always 1; the labels describe the Rollout's phase and versions.",
                        List.of("namespace", "rollout", "phase", "stable", "canary"));
        states.forEach(
                (k, s) -> {
                    weight.addMetric(List.of(k.namespace(), k.name()), s.weight());
                    info.addMetric(
                            List.of(
                                    k.namespace(),
                                    k.name(),
                                    nz(s.phase()),
                                    nz(s.stable()),
                                    nz(s.canary())),
                            1);
                });
        return List.of(weight, info);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
