package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.it.Manifests.RolloutOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The operator's /metrics during real rollouts: valid for promtool, and every series an alert or
 * dashboard reads is there and moves.
 */
class MetricsIT extends Scenario {
    static OperatorProcess operator;
    static PrometheusServer prometheus;
    static FakeApp app;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void startAll() {
        app = new FakeApp();
        prometheus = PrometheusServer.start(app.target());
        operator = OperatorProcess.start("metrics-it");
    }

    @AfterAll
    static void stopAll() {
        operator.close();
        prometheus.close();
        app.close();
    }

    @Test
    void metricsPassPromtoolAndMoveThroughPromotionRejectionAndRollback() {
        ns = LocalCluster.namespace("metrics", "production");
        String staging = LocalCluster.namespace("metrics-stag", "staging");
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 20",
                        "analysis: {rounds: 2}",
                        "pause: {}",
                        "setWeight: 100");
        Scrape start = scrape();

        app.errorRate("v1", 0);
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", options));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
        Scrape healthy = scrape();

        apply(Manifests.release(staging, "kv-v2", "kv", "v2", "staging"));
        pointRolloutAt(ns, "kv-v2", staging);
        awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));
        Scrape rejected = scrapeWhen(s -> s.has("lastgood_rollout_info", phaseOfKv("Rejected")));

        app.errorRate("v2", 0);
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        pointRolloutAt(ns, "kv-v2", ns);
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
        Scrape canary = scrapeWhen(s -> s.has("lastgood_rollout_info", phaseOfKv("Paused")));
        kubectlOk("-n", ns, "annotate", "rollout", "kv", "lastgood.dev/promote=go");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v2"));
        Scrape promoted =
                scrapeWhen(
                        s ->
                                s.has(
                                        "lastgood_rollout_info",
                                        with(phaseOfKv("Healthy"), "stable", "v2")));

        app.errorRate("v3", 0.5);
        apply(Manifests.release(ns, "kv-v3", "kv", "v3", "production"));
        pointRolloutAt(ns, "kv-v3", ns);
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));
        Scrape rolledBack =
                scrapeWhen(
                        s ->
                                s.has("lastgood_rollout_info", phaseOfKv("RolledBack"))
                                        && s.value(
                                                        "lastgood_rollbacks_total",
                                                        reason("AnalysisFailed"))
                                                > start.value(
                                                        "lastgood_rollbacks_total",
                                                        reason("AnalysisFailed")));

        for (Scrape s : List.of(start, healthy, rejected, canary, promoted, rolledBack)) {
            promtoolAccepts(s);
        }
        // Counters are the operator's, over every Rollout of the cluster (other tests leave
        // some behind), so they are asserted to move, not to move by exactly one.
        Map<String, String> kv = Map.of("namespace", ns, "rollout", "kv");
        String rejections = "lastgood_releases_rejected_total";
        assertThat(rejected.value(rejections, reason("EnvironmentMismatch")))
                .isGreaterThan(start.value(rejections, reason("EnvironmentMismatch")));
        assertThat(start.value("lastgood_rollbacks_total", reason("AnalysisFailed")))
                .as("exported before the first rollback")
                .isGreaterThanOrEqualTo(0);
        assertThat(rolledBack.value("lastgood_rollbacks_total", reason("AnalysisFailed")))
                .isGreaterThan(start.value("lastgood_rollbacks_total", reason("AnalysisFailed")));
        assertThat(promoted.value("lastgood_promotions_total", Map.of()))
                .isGreaterThanOrEqualTo(start.value("lastgood_promotions_total", Map.of()) + 2);
        assertThat(rejected.value("lastgood_rollout_info", with(kv, "phase", "Rejected")))
                .isEqualTo(1);
        assertThat(canary.value("lastgood_rollout_canary_weight", kv)).isEqualTo(20);
        assertThat(promoted.value("lastgood_rollout_canary_weight", kv)).isZero();
        assertThat(
                        canary.value(
                                "lastgood_rollout_info",
                                with(kv, "phase", "Paused", "stable", "v1", "canary", "v2")))
                .isEqualTo(1);
        assertThat(canary.series("lastgood_rollout_info", kv)).isEqualTo(1);
        assertThat(
                        rolledBack.value(
                                "lastgood_rollout_info",
                                with(kv, "phase", "RolledBack", "stable", "v2", "canary", "v3")))
                .isEqualTo(1);
        assertThat(rolledBack.series("lastgood_rollout_info", kv)).isEqualTo(1);
        Map<String, String> successful = Map.of("metric", "error-rate", "result", "Successful");
        Map<String, String> failed = Map.of("metric", "error-rate", "result", "Failed");
        assertThat(promoted.value("lastgood_analysis_measurements_total", successful))
                .isGreaterThanOrEqualTo(2);
        assertThat(rolledBack.value("lastgood_analysis_measurements_total", failed))
                .isGreaterThanOrEqualTo(1);
        // The analysis pool's load is exported (value() asserts exactly one sample of each).
        assertThat(rolledBack.value("lastgood_analysis_rounds", Map.of("state", "querying")))
                .isGreaterThanOrEqualTo(0);
        assertThat(rolledBack.value("lastgood_analysis_rounds", Map.of("state", "waiting")))
                .isGreaterThanOrEqualTo(0);
        assertThat(rolledBack.text)
                .contains("# TYPE lastgood_reconcile_duration_seconds histogram");
        String reconciles = "lastgood_reconcile_duration_seconds_count";
        assertThat(
                        rolledBack.value(
                                "lastgood_reconcile_duration_seconds_bucket", Map.of("le", "+Inf")))
                .isEqualTo(rolledBack.value(reconciles, Map.of()))
                .isGreaterThan(healthy.value(reconciles, Map.of()));
        assertThat(rolledBack.value("lastgood_reconcile_duration_seconds_sum", Map.of()))
                .isPositive();
        assertThat(rolledBack.value("jvm_memory_bytes_used", Map.of("area", "heap"))).isPositive();
        assertThat(rolledBack.value("jvm_threads_current", Map.of())).isPositive();
        assertThat(rolledBack.value("process_cpu_seconds_total", Map.of()))
                .isGreaterThan(start.value("process_cpu_seconds_total", Map.of()));

        // A deleted Rollout leaves no series behind: a dashboard would show it for ever.
        kubectlOk("-n", ns, "delete", "rollout", "kv", "--wait=true");
        Scrape deleted =
                scrapeWhen(
                        s ->
                                s.series("lastgood_rollout_info", kv) == 0
                                        && s.series("lastgood_rollout_canary_weight", kv) == 0);
        assertThat(deleted.series("lastgood_rollout_info", kv)).isZero();
    }

    private static void promtoolAccepts(Scrape s) {
        var r = LocalCluster.run(List.of("promtool", "check", "metrics"), s.text, Map.of());
        assertThat(r.exit()).as("promtool check metrics: %s", r.all()).isZero();
        assertThat(r.all()).as("promtool lint").isBlank();
    }

    private Map<String, String> phaseOfKv(String phase) {
        return Map.of("namespace", ns, "rollout", "kv", "phase", phase);
    }

    /**
     * Scrapes until {@code ready} holds: the operator counts a transition just after it writes the
     * status that the test waited for.
     */
    private static Scrape scrapeWhen(java.util.function.Predicate<Scrape> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Scrape s = scrape();
        while (!ready.test(s) && System.nanoTime() < deadline) {
            OperatorProcess.sleep(200);
            s = scrape();
        }
        assertThat(ready.test(s)).as("metrics never showed the transition:%n%s", s.text).isTrue();
        return s;
    }

    private static Map<String, String> reason(String reason) {
        return Map.of("reason", reason);
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> m = new LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Scrape scrape() {
        try {
            var response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(operator.url("/metrics")))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("text/plain; version=0.0.4");
            return new Scrape(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One scrape in the Prometheus text format. */
    record Scrape(String text) {
        private static final Pattern SAMPLE =
                Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        /** The value of the one sample of {@code name} whose labels include {@code labels}. */
        double value(String name, Map<String, String> labels) {
            List<Double> values = matching(name, labels);
            assertThat(values).as("samples of %s%s in:%n%s", name, labels, text).hasSize(1);
            return values.get(0);
        }

        boolean has(String name, Map<String, String> labels) {
            return !matching(name, labels).isEmpty();
        }

        /** How many samples of {@code name} have labels including {@code labels}. */
        int series(String name, Map<String, String> labels) {
            return matching(name, labels).size();
        }

        private List<Double> matching(String name, Map<String, String> labels) {
            return text.lines()
                    .map(SAMPLE::matcher)
                    .filter(Matcher::matches)
                    .filter(m -> m.group(1).equals(name))
                    .filter(m -> labelsOf(m.group(2)).entrySet().containsAll(labels.entrySet()))
                    .map(m -> Double.parseDouble(m.group(3)))
                    .toList();
        }

        private static Map<String, String> labelsOf(String text) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (text != null) {
                Matcher m = LABEL.matcher(text);
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            return labels;
        }
    }
}
