package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** The environment guard against the real API server, with manifests applied by kubectl. */
class EnvironmentGuardIT extends Scenario {
    static OperatorProcess operator;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void start() {
        operator = OperatorProcess.start("guard-it");
    }

    @AfterAll
    static void stop() {
        operator.close();
    }

    private static RolloutOptions noAnalysis() {
        return new RolloutOptions(
                1, java.util.List.of("setWeight: 50", "setWeight: 100"), null, "2s", 2, true, 60);
    }

    @Test
    void productionRolloutPointedAtStagingReleaseIsRejectedAndNothingChanges() {
        ns = LocalCluster.namespace("prod", "production");
        String staging = LocalCluster.namespace("stag", "staging");
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", noAnalysis()));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
        apply(Manifests.release(staging, "kv-v2", "kv", "v2", "staging"));
        var stableBefore = deployment(ns, "kv-stable").getMetadata().getGeneration();
        var canaryBefore = deployment(ns, "kv-canary").getMetadata().getGeneration();
        var routeBefore = route(ns, "kv").getMetadata().getResourceVersion();
        double rejectedBefore = rejectedCount("EnvironmentMismatch");

        pointRolloutAt(ns, "kv-v2", staging);
        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));

        assertThat(r.getStatus().conditions)
                .anySatisfy(
                        c -> {
                            assertThat(c.getType()).isEqualTo("ReleaseVerified");
                            assertThat(c.getStatus()).isEqualTo("False");
                            assertThat(c.getReason()).isEqualTo("EnvironmentMismatch");
                            assertThat(c.getMessage()).contains("staging").contains("production");
                        });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(events(ns, "EnvironmentMismatch"))
                                        .singleElement()
                                        .satisfies(
                                                e -> assertThat(e.getType()).isEqualTo("Warning")));
        assertThat(rejectedCount("EnvironmentMismatch")).isEqualTo(rejectedBefore + 1);
        OperatorProcess.sleep(2000);
        assertThat(deployment(ns, "kv-stable").getMetadata().getGeneration())
                .isEqualTo(stableBefore);
        assertThat(deployment(ns, "kv-canary").getMetadata().getGeneration())
                .isEqualTo(canaryBefore);
        assertThat(route(ns, "kv").getMetadata().getResourceVersion()).isEqualTo(routeBefore);
        assertThat(rollout(ns, "kv").getStatus().stable.version).isEqualTo("v1");
    }

    @Test
    void rejectedFirstReleaseCreatesNoOwnedObject() {
        ns = LocalCluster.namespace("prod", "production");
        String staging = LocalCluster.namespace("stag", "staging");
        apply(Manifests.release(staging, "kv-v1", "kv", "v1", "staging"));

        apply(
                Manifests.rollout(ns, "kv", "kv", "kv-v1", noAnalysis())
                        .replace("name: kv-v1", "name: kv-v1\n    namespace: " + staging));
        awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));

        OperatorProcess.sleep(1000);
        assertThat(K.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(K.services().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void releaseSelectorPicksOnlyTheNewestProductionReleaseAndFollowsNewOnes() {
        ns = LocalCluster.namespace("prod", "production");
        String prodBuilds = LocalCluster.namespace("prodb", "production");
        String staging = LocalCluster.namespace("stag", "staging");
        apply(Manifests.release(prodBuilds, "kv-a", "kv", "v1", "production"));
        OperatorProcess.sleep(1100);
        apply(Manifests.release(prodBuilds, "kv-b", "kv", "v2", "production"));
        OperatorProcess.sleep(1100);
        // Newer, same labels, but a staging build: must never be picked for production.
        apply(Manifests.release(staging, "kv-c", "kv", "v3-staging", "staging"));
        String rollout =
                Manifests.rollout(ns, "kv", "kv", "unused", noAnalysis())
                        .replace(
                                "  release:\n    name: unused\n",
                                "  releaseSelector:\n    matchLabels:\n      app: kv\n");

        apply(rollout);
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v2"));
        OperatorProcess.sleep(1100);
        apply(Manifests.release(prodBuilds, "kv-d", "kv", "v4", "production"));

        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v4"));
        assertThat(r.getStatus().history).extracting(h -> h.version).containsExactly("v2", "v4");
        assertThat(r.getStatus().history).noneMatch(h -> h.version.contains("staging"));
    }

    @Test
    void relabeledNamespaceRejectsTheReleasesInIt() {
        ns = LocalCluster.namespace("prod", "production");
        String builds = LocalCluster.namespace("builds", "production");
        apply(Manifests.release(builds, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(builds, "kv-v2", "kv", "v2", "production"));
        apply(
                Manifests.rollout(ns, "kv", "kv", "kv-v1", noAnalysis())
                        .replace("name: kv-v1", "name: kv-v1\n    namespace: " + builds));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));

        kubectlOk("label", "--overwrite", "namespace", builds, "lastgood.dev/environment=staging");

        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));
        assertThat(r.getStatus().message).contains("staging");
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            BuildRelease br =
                                    K.resources(BuildRelease.class)
                                            .inNamespace(builds)
                                            .withName("kv-v2")
                                            .get();
                            return br.getStatus() != null
                                    && br.getStatus().conditions.stream()
                                            .anyMatch(
                                                    c ->
                                                            "Verified".equals(c.getType())
                                                                    && "False".equals(c.getStatus())
                                                                    && "EnvironmentMismatch"
                                                                            .equals(c.getReason()));
                        });
    }

    @Test
    void relabelingMidCanaryWithdrawsTheCanaryToLastGood() {
        ns = LocalCluster.namespace("prod", "production");
        String builds = LocalCluster.namespace("builds", "production");
        apply(Manifests.release(builds, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(builds, "kv-v2", "kv", "v2", "production"));
        var options =
                new RolloutOptions(
                        2,
                        java.util.List.of("setWeight: 50", "pause: {}"),
                        null,
                        "2s",
                        2,
                        true,
                        60);
        apply(
                Manifests.rollout(ns, "kv", "kv", "kv-v1", options)
                        .replace("name: kv-v1", "name: kv-v1\n    namespace: " + builds));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
        pointRolloutAt(ns, "kv-v2");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
        assertThat(routeCanaryWeight(ns, "kv")).isEqualTo(50);

        kubectlOk("label", "--overwrite", "namespace", builds, "lastgood.dev/environment=staging");

        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> {
                            assertThat(routeCanaryWeight(ns, "kv")).isZero();
                            assertThat(deployment(ns, "kv-canary").getSpec().getReplicas())
                                    .isZero();
                        });
        assertThat(r.getStatus().stable.version).isEqualTo("v1");
        assertThat(r.getStatus().failedReleases).anyMatch(k -> k.endsWith("@v2"));
    }

    @Test
    void admissionPolicyRefusesReleaseOutsideItsEnvironmentWithAReadableMessage() {
        ns = LocalCluster.namespace("stag", "staging");

        var r =
                LocalCluster.kubectlWithInput(
                        Manifests.release(ns, "kv-v1", "kv", "v1", "production"),
                        "apply",
                        "-f",
                        "-");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err())
                .contains("is built for environment production")
                .contains("belongs to environment staging");
    }

    @Test
    void crdValidationRefusesATagOnlyImage() {
        ns = LocalCluster.namespace("prod", "production");

        var r =
                LocalCluster.kubectlWithInput(
                        Manifests.release(
                                ns,
                                "kv-v1",
                                "kv",
                                "v1",
                                "production",
                                "registry.example/kv:latest"),
                        "apply",
                        "-f",
                        "-");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("spec.image");
    }

    @Test
    void kubectlExplainTeachesTheImageField() {
        var r = LocalCluster.kubectl("explain", "buildrelease.spec.image");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("pinned by digest");
    }

    @Test
    void verifiedReleaseShowsInPrinterColumns() {
        ns = LocalCluster.namespace("prod", "production");
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () ->
                                assertThat(
                                                LocalCluster.kubectl(
                                                                "-n", ns, "get", "buildreleases")
                                                        .out())
                                        .containsPattern(
                                                "kv-v1\\s.*kv\\s.*production\\s.*True|kv-v1.*True"));
    }

    private static double rejectedCount(String reason) {
        try {
            String body =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(operator.url("/metrics")))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            return body.lines()
                    .filter(
                            l ->
                                    l.startsWith("lastgood_releases_rejected_total{")
                                            && l.contains("reason=\"" + reason + "\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .findFirst()
                    .orElse(0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
