package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** {@code kubectl lastgood} (the kubectl-lastgood script) against real Rollouts. */
class KubectlPluginIT extends Scenario {
    OperatorProcess operator;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    /** Runs the plugin as kubectl would, with the local cluster's kubeconfig and kubectl. */
    static LocalCluster.Result plugin(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(LocalCluster.projectDir().resolve("kubectl-lastgood").toString());
        cmd.addAll(List.of(args));
        return LocalCluster.run(
                cmd,
                null,
                Map.of(
                        "KUBECONFIG", LocalCluster.kubeconfig().toString(),
                        "KUBECTL", LocalCluster.kubectlBinary().toString()),
                60);
    }

    static LocalCluster.Result pluginOk(String... args) {
        var r = plugin(args);
        assertThat(r.exit())
                .as("kubectl lastgood %s: %s", String.join(" ", args), r.all())
                .isZero();
        return r;
    }

    private static RolloutOptions routedWithPause(String prometheus) {
        return new RolloutOptions(
                2,
                List.of("setWeight: 20", "pause: {}", "setWeight: 100"),
                prometheus,
                "2s",
                2,
                true,
                120);
    }

    private void healthyOnV1ThenPaused(String version, RolloutOptions options) {
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(ns, "kv-" + version, "kv", version, "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", options));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
        pointRolloutAt(ns, "kv-" + version);
        awaitRollout(
                ns,
                "kv",
                Duration.ofSeconds(60),
                r -> "Paused".equals(r.getStatus().phase) && r.getStatus().canaryWeight == 20);
    }

    private static boolean latestMeasurementSuccessful(Rollout r) {
        var analysis = r.getStatus().analysis;
        if (analysis == null || analysis.metrics.isEmpty()) {
            return false;
        }
        var measurements = analysis.metrics.get(0).measurements;
        return !measurements.isEmpty()
                && "Successful".equals(measurements.get(measurements.size() - 1).result);
    }

    @Test
    void statusHistoryPromoteAndAbortDriveARealRollout() {
        FakeApp app = new FakeApp();
        try (PrometheusServer prometheus = PrometheusServer.start(app.target())) {
            app.errorRate("v1", 0);
            app.errorRate("v2", 0);
            app.errorRate("v3", 0);
            operator = OperatorProcess.start("plugin-it");
            ns = LocalCluster.namespace("plugin", "production");
            healthyOnV1ThenPaused("v2", routedWithPause(prometheus.address()));
            awaitRollout(
                    ns, "kv", Duration.ofSeconds(30), KubectlPluginIT::latestMeasurementSuccessful);

            String paused = pluginOk("status", "kv", "-n", ns).out();

            assertThat(paused)
                    .contains("Rollout:  " + ns + "/kv")
                    .contains("Phase:    Paused")
                    .contains("Step:     2/3 (spec.steps[1])  pause until promoted")
                    .contains("canary 20%  HTTPRoute kv: stable 80 / canary 20")
                    .containsPattern("Stable: +v1 +registry.example/kv@sha256:")
                    .containsPattern("Canary: +v2 +registry.example/kv@sha256:")
                    .containsPattern("error-rate +Successful +0")
                    .contains("Events (last 5):")
                    .contains("WeightChanged")
                    .contains("canary v2 weight 0% -> 20%");
            assertThat(paused.lines().filter(l -> l.matches("  \\d\\d:\\d\\d:\\d\\d .*")))
                    .hasSize(5);

            String promoted = pluginOk("promote", "kv", "-n", ns).out();
            awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v2"));

            assertThat(promoted).contains("lastgood.dev/promote=").contains("pause at step 2/3");
            List<String> history = pluginOk("history", "kv", "-n", ns).out().lines().toList();
            assertThat(history.get(0)).contains("VERSION").contains("PROMOTED AT");
            assertThat(history.get(1)).startsWith("*").contains("v2").contains(ns + "/kv-v2");
            assertThat(history.get(2)).doesNotStartWith("*").contains("v1");

            apply(Manifests.release(ns, "kv-v3", "kv", "v3", "production"));
            pointRolloutAt(ns, "kv-v3");
            awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
            String aborted = pluginOk("abort", "kv", "-n", ns).out();
            Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("RolledBack"));

            assertThat(aborted).contains("lastgood.dev/abort=").contains("v3");
            assertThat(r.getStatus().message).contains("aborted");
            assertThat(routeCanaryWeight(ns, "kv")).isZero();
            assertThat(pluginOk("status", "kv", "-n", ns).out())
                    .contains("Phase:    RolledBack")
                    .contains("stable 100 / canary 0");
        } finally {
            app.close();
        }
    }

    @Test
    void badInputGetsOneLineErrorsAndANonZeroExit() {
        ns = LocalCluster.namespace("plugin-err", "production");

        var unknownCommand = plugin("frobnicate", "kv");
        var missingName = plugin("status", "-n", ns);
        var unknownRollout = plugin("status", "nope", "-n", ns);
        var noBreakGlass = plugin("rollback", "nope", "-n", ns);
        var unknownFlag = plugin("history", "kv", "--frob");

        for (var r :
                List.of(unknownCommand, missingName, unknownRollout, noBreakGlass, unknownFlag)) {
            assertThat(r.exit()).as(r.all()).isNotZero();
            assertThat(r.out()).as(r.all()).isEmpty();
            assertThat(r.err().lines()).as(r.all()).singleElement();
        }
        assertThat(unknownCommand.err()).contains("unknown command 'frobnicate'");
        assertThat(missingName.err()).contains("status needs a Rollout name");
        assertThat(unknownRollout.err()).contains("rollout " + ns + "/nope not found");
        assertThat(noBreakGlass.err()).contains("--break-glass");
        assertThat(unknownFlag.err()).contains("unknown flag '--frob'");
    }

    @Test
    void breakGlassRollbackWorksWithTheOperatorStoppedAndTheOperatorTreatsItAsAnAbort() {
        operator = OperatorProcess.start("plugin-break-glass-it");
        ns = LocalCluster.namespace("glass", "production");
        healthyOnV1ThenPaused("v2", routedWithPause(null));
        String v1Image = "registry.example/kv@" + Manifests.digest("v1");

        operator.kill();
        // The last-good release's BuildRelease is gone too: the snapshot in status is enough.
        kubectlOk("-n", ns, "delete", "buildrelease", "kv-v1");
        var refused = plugin("rollback", "kv", "-n", ns);
        int weightAfterRefusal = routeCanaryWeight(ns, "kv");
        String done = pluginOk("rollback", "kv", "-n", ns, "--break-glass").out();

        assertThat(refused.exit()).isNotZero();
        assertThat(weightAfterRefusal).isEqualTo(20);
        assertThat(done)
                .contains("last-good v1")
                .contains("stable 100 / canary 0   (was: stable 80 / canary 20)")
                .contains("kv-canary scaled 1 -> 0 replicas");
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        assertThat(deployment(ns, "kv-canary").getSpec().getReplicas()).isZero();
        assertThat(
                        deployment(ns, "kv-stable")
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getImage())
                .isEqualTo(v1Image);

        try (Sampler sampler = new Sampler(ns, "kv")) {
            operator.restart();
            Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("RolledBack"));
            OperatorProcess.sleep(3000);

            assertThat(sampler.samples).isNotEmpty();
            assertThat(sampler.weights())
                    .as("canary weight seen after the restart")
                    .containsOnly(0);
            assertThat(r.getStatus().message).contains("break-glass");
            assertThat(r.getStatus().stable.version).isEqualTo("v1");
            assertThat(r.getStatus().failedReleases).anyMatch(k -> k.endsWith("@v2"));
        }
        assertThat(deployment(ns, "kv-canary").getSpec().getReplicas()).isZero();
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        assertThat(events(ns, "RolledBack"))
                .singleElement()
                .satisfies(e -> assertThat(e.getAction()).isEqualTo("Aborted"));
    }
}
