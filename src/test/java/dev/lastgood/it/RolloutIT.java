package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Progressive delivery end to end: the packaged operator, the local cluster, a real Prometheus
 * scraping an endpoint whose per-version error rate each test sets.
 */
class RolloutIT extends Scenario {
    static OperatorProcess operator;
    static PrometheusServer prometheus;
    static FakeApp app;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void startAll() {
        app = new FakeApp();
        prometheus = PrometheusServer.start(app.target());
        operator = OperatorProcess.start("rollout-it");
    }

    @AfterAll
    static void stopAll() {
        operator.close();
        prometheus.close();
        app.close();
    }

    @BeforeEach
    void freshNamespace() {
        ns = LocalCluster.namespace("ro", "production");
    }

    /** Applies v1 and waits until it is the healthy stable release. */
    private void healthyOnFirstRelease(String v1, RolloutOptions options) {
        app.errorRate(v1, 0);
        apply(Manifests.release(ns, "kv-" + v1, "kv", v1, "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-" + v1, options));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn(v1));
    }

    private void newRelease(String version, double errorRate) {
        app.errorRate(version, errorRate);
        apply(Manifests.release(ns, "kv-" + version, "kv", version, "production"));
    }

    @Test
    void healthyReleaseMovesThroughEveryWeightAndIsRecordedLastGood() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 10",
                        "pause: {duration: 5s}",
                        "setWeight: 50",
                        "setWeight: 100");
        // Every route write, from a watch started before the route exists: a step with no pause
        // after it can last less than the sampler's 100 ms (50% held for 87 ms in one run).
        RouteAudit audit = RouteAudit.start();
        healthyOnFirstRelease("v1-happy", options);
        newRelease("v2-happy", 0);
        String stableV1 =
                deployment(ns, "kv-stable")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get("lastgood.dev/release");

        Rollout done;
        try (audit;
                Sampler sampler = new Sampler(ns, "kv")) {
            pointRolloutAt(ns, "kv-v2-happy");
            done = awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v2-happy"));
            OperatorProcess.sleep(300);

            assertThat(audit.gaps(ns, "kv")).as("the audit saw every route write").isEmpty();
            assertThat(WeightSequence.collapse(audit.weights(ns, "kv")))
                    .containsSubsequence(10, 50, 100)
                    .endsWith(0);
            assertThat(sampler.samples.stream().takeWhile(s -> s.canaryWeight() < 100))
                    .as("the stable track runs v1 until the canary carries all traffic")
                    .isNotEmpty()
                    .allSatisfy(s -> assertThat(s.stableRelease()).isEqualTo(stableV1));
        }
        assertThat(done.getStatus().stable.image)
                .isEqualTo("registry.example/kv@" + Manifests.digest("v2-happy"));
        assertThat(done.getStatus().history)
                .extracting(h -> h.version)
                .containsExactly("v1-happy", "v2-happy");
        assertThat(deployment(ns, "kv-canary").getSpec().getReplicas()).isZero();
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        assertThat(events(ns, "Promoted")).hasSize(2);
        assertThat(done.getStatus().conditions)
                .anySatisfy(
                        c -> {
                            assertThat(c.getType()).isEqualTo("Ready");
                            assertThat(c.getStatus()).isEqualTo("True");
                        });
    }

    @Test
    void handEditsOfOwnedObjectsArePutBack() {
        healthyOnFirstRelease(
                "v1-kept", RolloutOptions.routed(prometheus.address(), "setWeight: 50"));
        // A pass with nothing to change, so that the operator has found every owned object in
        // sync and remembered so: the edits below must still be noticed.
        kubectlOk("-n", ns, "annotate", "rollout", "kv", "example.com/touched=1");
        OperatorProcess.sleep(1000);

        kubectlOk(
                "-n",
                ns,
                "patch",
                "httproute",
                "kv",
                "--type=json",
                "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/rules/0/backendRefs/0/weight\",\"value\":50},"
                    + "{\"op\":\"replace\",\"path\":\"/spec/rules/0/backendRefs/1/weight\",\"value\":50}]");
        kubectlOk("-n", ns, "scale", "deployment", "kv-stable", "--replicas=5");

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () -> {
                            assertThat(routeCanaryWeight(ns, "kv")).isZero();
                            assertThat(deployment(ns, "kv-stable").getSpec().getReplicas())
                                    .isEqualTo(2);
                        });
        // The stable track scaled back reads as Progressing until its Deployment settles.
        awaitRollout(ns, "kv", Duration.ofSeconds(30), healthyOn("v1-kept"));
    }

    @Test
    void failingReleaseRollsBackWithinOneIntervalAndLeavesStableUntouched() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 10",
                        "pause: {duration: 60s}",
                        "setWeight: 100");
        healthyOnFirstRelease("v1-bad", options);
        newRelease("v3-bad", 0.5);
        long stableGeneration = deployment(ns, "kv-stable").getMetadata().getGeneration();

        Rollout rolledBack;
        try (Sampler sampler = new Sampler(ns, "kv")) {
            pointRolloutAt(ns, "kv-v3-bad");
            rolledBack = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));
            OperatorProcess.sleep(500);

            Instant trafficStart =
                    sampler.samples.stream()
                            .filter(s -> s.canaryWeight() > 0)
                            .findFirst()
                            .orElseThrow()
                            .at();
            Instant backToStable =
                    sampler.samples.stream()
                            .filter(s -> s.at().isAfter(trafficStart) && s.canaryWeight() == 0)
                            .findFirst()
                            .orElseThrow()
                            .at();
            assertThat(Duration.between(trafficStart, backToStable))
                    .as("interval (2s) plus 5s")
                    .isLessThanOrEqualTo(Duration.ofSeconds(7));
        }
        assertThat(rolledBack.getStatus().message).contains("error-rate");
        assertThat(rolledBack.getStatus().stable.version).isEqualTo("v1-bad");
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        assertThat(deployment(ns, "kv-canary").getSpec().getReplicas()).isZero();
        assertThat(deployment(ns, "kv-stable").getMetadata().getGeneration())
                .isEqualTo(stableGeneration);
        assertThat(events(ns, "RolledBack"))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote()).contains("error-rate").contains("0.5"));
        assertThat(LocalCluster.kubectl("-n", ns, "get", "rollout", "kv").out())
                .contains("RolledBack");
    }

    @Test
    void prometheusOutageNeverPromotesAndRollsBackAfterTheInconclusiveLimit() {
        FakeApp ownApp = new FakeApp();
        try (PrometheusServer own = PrometheusServer.start(ownApp.target())) {
            RolloutOptions options =
                    RolloutOptions.routed(
                            own.address(),
                            "setWeight: 10",
                            "analysis: {rounds: 1}",
                            "setWeight: 100");
            ownApp.errorRate("v1-outage", 0);
            apply(Manifests.release(ns, "kv-v1-outage", "kv", "v1-outage", "production"));
            apply(Manifests.rollout(ns, "kv", "kv", "kv-v1-outage", options));
            awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1-outage"));
            ownApp.errorRate("v4-outage", 0);
            apply(Manifests.release(ns, "kv-v4-outage", "kv", "v4-outage", "production"));
            own.stop();

            pointRolloutAt(ns, "kv-v4-outage");
            Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));

            assertThat(r.getStatus().message).contains("inconclusive");
            assertThat(r.getStatus().stable.version).isEqualTo("v1-outage");
            assertThat(events(ns, "Promoted")).hasSize(1);
            assertThat(events(ns, "AnalysisGatePassed")).isEmpty();
            assertThat(r.getStatus().history)
                    .extracting(h -> h.version)
                    .containsExactly("v1-outage");
        } finally {
            ownApp.close();
        }
    }

    @Test
    void noDataNeverAdvancesAnAnalysisGate() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 10",
                        "analysis: {rounds: 1}",
                        "setWeight: 100");
        healthyOnFirstRelease("v1-nodata", options);
        // No series at all for this version: every measurement is an empty result.
        apply(Manifests.release(ns, "kv-v5-nodata", "kv", "v5-nodata", "production"));

        pointRolloutAt(ns, "kv-v5-nodata");
        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));

        assertThat(r.getStatus().message).contains("inconclusive");
        assertThat(events(ns, "AnalysisGatePassed")).isEmpty();
        assertThat(r.getStatus().history).extracting(h -> h.version).containsExactly("v1-nodata");
    }

    @Test
    void newReleaseDuringCanaryCancelsItAndStartsFromStepZero() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 10",
                        "pause: {duration: 6s}",
                        "setWeight: 100");
        healthyOnFirstRelease("v1-swap", options);
        newRelease("v2-swap", 0);
        newRelease("v3-swap", 0);
        pointRolloutAt(ns, "kv-v2-swap");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));

        pointRolloutAt(ns, "kv-v3-swap");
        Rollout during =
                awaitRollout(
                        ns,
                        "kv",
                        Duration.ofSeconds(30),
                        r ->
                                r.getStatus().canary != null
                                        && "v3-swap".equals(r.getStatus().canary.version));
        Rollout done = awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v3-swap"));

        assertThat(during.getStatus().currentStepIndex).isLessThanOrEqualTo(1);
        assertThat(events(ns, "CanaryCancelled"))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote()).contains("v2-swap").contains("v3-swap"));
        assertThat(events(ns, "CanaryStarted")).hasSize(2);
        assertThat(done.getStatus().history)
                .extracting(h -> h.version)
                .containsExactly("v1-swap", "v3-swap");
    }

    @Test
    void rollbackRestoresTheLastGoodReleaseEvenWhenItsBuildReleaseIsDeleted() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 20",
                        "pause: {duration: 60s}",
                        "setWeight: 100");
        healthyOnFirstRelease("v1-gone", options);
        newRelease("v9-gone", 0.9);
        kubectlOk("-n", ns, "delete", "buildrelease", "kv-v1-gone");

        pointRolloutAt(ns, "kv-v9-gone");
        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));

        assertThat(r.getStatus().stable.version).isEqualTo("v1-gone");
        var container =
                deployment(ns, "kv-stable")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        assertThat(container.getImage())
                .isEqualTo("registry.example/kv@" + Manifests.digest("v1-gone"));
        assertThat(container.getEnv())
                .anySatisfy(e -> assertThat(e.getValue()).isEqualTo("v1-gone"));
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
    }

    @Test
    void abortedReleasePointedAtAgainRunsEveryStepAgain() {
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(), "setWeight: 10", "pause: {}", "setWeight: 100");
        healthyOnFirstRelease("v1-abort", options);
        newRelease("v2-abort", 0);
        pointRolloutAt(ns, "kv-v2-abort");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));

        kubectlOk("-n", ns, "annotate", "rollout", "kv", "lastgood.dev/abort=first");
        Rollout aborted = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("RolledBack"));
        assertThat(aborted.getStatus().message).contains("aborted");
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        pointRolloutAt(ns, "kv-v1-abort");
        awaitRollout(ns, "kv", Duration.ofSeconds(30), healthyOn("v1-abort"));

        try (Sampler sampler = new Sampler(ns, "kv")) {
            pointRolloutAt(ns, "kv-v2-abort");
            Rollout again = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
            assertThat(again.getStatus().fastTrack).isNull();
            assertThat(again.getStatus().canaryWeight).isEqualTo(10);
            kubectlOk(
                    "-n",
                    ns,
                    "annotate",
                    "--overwrite",
                    "rollout",
                    "kv",
                    "lastgood.dev/promote=go");
            awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v2-abort"));
            assertThat(sampler.weights()).containsSubsequence(10, 100);
        }
        assertThat(List.of(rollout(ns, "kv").getStatus().failedReleases)).isNotEmpty();
    }
}
