package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.it.Manifests.RolloutOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * What Flux, {@code helm --wait} (both kstatus) and {@code kubectl wait} conclude from a Rollout's
 * status, computed by sigs.k8s.io/cli-utils itself (hack/tools/kstatus).
 */
class KstatusIT extends Scenario {
    static OperatorProcess operator;
    static Path kstatus;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void start() {
        kstatus = LocalCluster.projectDir().resolve("target/tools/kstatus");
        var build =
                LocalCluster.run(
                        List.of(
                                "go",
                                "build",
                                "-C",
                                LocalCluster.projectDir().resolve("hack/tools/kstatus").toString(),
                                "-o",
                                kstatus.toString(),
                                "."),
                        null,
                        Map.of("GOFLAGS", "-mod=mod"),
                        600);
        assertThat(build.exit()).as("go build hack/tools/kstatus: %s", build.all()).isZero();
        operator = OperatorProcess.start("kstatus-it");
    }

    @AfterAll
    static void stop() {
        operator.close();
    }

    @BeforeEach
    void freshNamespace() {
        ns = LocalCluster.namespace("kstatus", "production");
    }

    /** kstatus of the Rollout read from the cluster, and of the same object read from a file. */
    private String kstatus(String name) {
        List<String> cmd = new ArrayList<>(List.of(kstatus.toString()));
        cmd.addAll(
                List.of(
                        "--kubeconfig",
                        LocalCluster.kubeconfig().toString(),
                        "-n",
                        ns,
                        "rollouts.lastgood.dev",
                        name));
        var live = LocalCluster.run(cmd, null, Map.of());
        assertThat(live.exit()).as(live.all()).isZero();
        var yaml = LocalCluster.kubectl("-n", ns, "get", "rollout", name, "-o", "yaml");
        var fromFile =
                LocalCluster.run(List.of(kstatus.toString(), "-f", "-"), yaml.out(), Map.of());
        assertThat(fromFile.exit()).as(fromFile.all()).isZero();
        assertThat(status(fromFile.out())).isEqualTo(status(live.out()));
        return live.out().strip();
    }

    private static String status(String kstatusOutput) {
        return kstatusOutput.substring(0, kstatusOutput.indexOf(':'));
    }

    private void healthyOn(String version, RolloutOptions options) {
        apply(Manifests.release(ns, "kv-" + version, "kv", version, "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-" + version, options));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn(version));
    }

    private static RolloutOptions steps(String... steps) {
        return new RolloutOptions(2, List.of(steps), null, "2s", 2, true, 120);
    }

    @Test
    void promotedRolloutIsCurrentAndKubectlWaitForReadyWaitsForTheNextPromotion() {
        healthyOn("v1", steps("setWeight: 50", "pause: {duration: 3s}", "setWeight: 100"));

        String promoted = kstatus("kv");
        var waitHealthy =
                LocalCluster.kubectl(
                        "-n", ns, "wait", "--for=condition=Ready", "rollout/kv", "--timeout=60s");
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        pointRolloutAt(ns, "kv-v2");
        var waitNext =
                LocalCluster.kubectl(
                        "-n", ns, "wait", "--for=condition=Ready", "rollout/kv", "--timeout=60s");
        var afterWait = rollout(ns, "kv");

        assertThat(promoted).startsWith("Current:");
        assertThat(waitHealthy.exit()).as(waitHealthy.all()).isZero();
        assertThat(waitNext.exit()).as(waitNext.all()).isZero();
        assertThat(afterWait.getStatus().stable.version)
                .as("kubectl wait returned only once v2 was promoted")
                .isEqualTo("v2");
        assertThat(kstatus("kv")).startsWith("Current:");
    }

    @Test
    void rolloutPausedInItsStepsIsInProgress() {
        healthyOn("v1", steps("setWeight: 20", "pause: {}", "setWeight: 100"));
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));

        pointRolloutAt(ns, "kv-v2");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
        var waitPaused =
                LocalCluster.kubectl(
                        "-n", ns, "wait", "--for=condition=Ready", "rollout/kv", "--timeout=3s");

        assertThat(kstatus("kv"))
                .isEqualTo("InProgress: step 1: paused until lastgood.dev/promote is set");
        assertThat(waitPaused.exit()).as("kubectl wait times out while paused").isNotZero();
    }

    @Test
    void rolledBackRolloutIsFailed() {
        healthyOn("v1", steps("setWeight: 20", "pause: {}", "setWeight: 100"));
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        pointRolloutAt(ns, "kv-v2");
        awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));

        kubectlOk("-n", ns, "annotate", "rollout", "kv", "lastgood.dev/abort=now");
        awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("RolledBack"));

        assertThat(kstatus("kv")).startsWith("Failed: rolled back v2 to last-good v1");
    }

    @Test
    void rolloutWhoseSpecTheOperatorHasNotSeenIsInProgressEvenWhenItIsNew() {
        healthyOn("v1", steps("setWeight: 20", "pause: {}", "setWeight: 100"));
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        String changed;
        String fresh;
        operator.kill();
        try {
            pointRolloutAt(ns, "kv-v2");
            apply(Manifests.rollout(ns, "fresh", "kv", "kv-v1", steps("setWeight: 100")));

            changed = kstatus("kv");
            fresh = kstatus("fresh");
        } finally {
            operator.restart();
        }
        awaitRollout(ns, "fresh", Duration.ofSeconds(60), healthyOn("v1"));

        assertThat(changed)
                .startsWith(
                        "InProgress: Rollout generation is 2, but latest observed generation is 1");
        assertThat(fresh)
                .startsWith(
                        "InProgress: Rollout generation is 1, but latest observed generation is 0");
        assertThat(kstatus("fresh")).startsWith("Current:");
    }
}
