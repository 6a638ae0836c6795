package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** A user's mistake is a readable condition or a refusal, never a crash or a traffic change. */
class BadInputIT extends Scenario {
    static OperatorProcess operator;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void start() {
        operator = OperatorProcess.start("bad-input-it");
    }

    @AfterAll
    static void stop() {
        operator.close();
    }

    @BeforeEach
    void namespace() {
        ns = LocalCluster.namespace("bad", "production");
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
    }

    private static RolloutOptions steps(String... steps) {
        return new RolloutOptions(1, List.of(steps), null, "2s", 2, true, 60);
    }

    private Rollout degraded() {
        return awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Degraded"));
    }

    @Test
    void templateTheApiServerRefusesIsReportedWithoutAStackTrace() {
        String rollout =
                Manifests.rollout(ns, "kv", "kv", "kv-v1", steps("setWeight: 100"))
                        .replace(
                                "          ports:\n",
                                "          resources: {limits: {cpu: lots}}\n          ports:\n");

        apply(rollout);

        Rollout r = degraded();
        assertThat(r.getStatus().message).contains("resources.limits.cpu 'lots' is not a quantity");
        assertThat(events(ns, "InvalidSpec")).isNotEmpty();
    }

    @Test
    void objectTheApiServerRefusesIsReportedWithoutAStackTrace() {
        String rollout =
                Manifests.rollout(ns, "kv", "kv", "kv-v1", steps("setWeight: 100"))
                        .replace(
                                "          ports:\n",
                                "          imagePullPolicy: Sometimes\n          ports:\n");

        apply(rollout);

        Rollout r = degraded();
        assertThat(r.getStatus().message).contains("refused").contains("imagePullPolicy");
        assertThat(events(ns, "InvalidSpec")).isNotEmpty();
        // The user's mistake is a condition, not an error the framework retries and logs.
        assertThat(operator.log())
                .doesNotContain("Uncaught error during event processing")
                .doesNotContain("KubernetesClientException");
    }

    @Test
    void aRolloutWhoseServiceNameAnotherRolloutHoldsIsRefusedAndTheOtherKeepsIt() {
        apply(Manifests.rollout(ns, "web", "kv", "kv-v1", steps("setWeight: 100")));
        awaitRollout(ns, "web", Duration.ofSeconds(60), healthyOn("v1"));

        // Its own Service would be web-canary: web's canary Service.
        apply(Manifests.rollout(ns, "web-canary", "kv", "kv-v1", steps("setWeight: 100")));

        Rollout refused = awaitRollout(ns, "web-canary", Duration.ofSeconds(30), phase("Degraded"));
        assertThat(refused.getStatus().message)
                .contains("Service web-canary belongs to Rollout web");
        assertThat(events(ns, "InvalidSpec")).isNotEmpty();
        // Passes of both, then the Service is still web's canary Service.
        kubectlOk("-n", ns, "annotate", "rollout", "web-canary", "example.com/poke=1");
        kubectlOk("-n", ns, "annotate", "rollout", "web", "example.com/poke=1");
        OperatorProcess.sleep(2000);
        var service = K.services().inNamespace(ns).withName("web-canary").get();
        assertThat(service.getMetadata().getOwnerReferences())
                .extracting(r -> r.getName())
                .containsExactly("web");
        assertThat(service.getSpec().getSelector()).containsEntry("lastgood.dev/track", "canary");
        assertThat(K.apps().deployments().inNamespace(ns).withName("web-canary-stable").get())
                .as("nothing of the refused Rollout was created")
                .isNull();
        assertThat(rollout(ns, "web").getStatus().phase).isEqualTo("Healthy");
    }

    @Test
    void decreasingWeightsAreReportedAndNothingIsCreated() {
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", steps("setWeight: 50", "setWeight: 20")));

        Rollout r = degraded();

        assertThat(r.getStatus().message).contains("lowers the weight from 50 to 20");
        assertThat(K.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void danglingReleaseIsRejectedWithItsName() {
        apply(Manifests.rollout(ns, "kv", "kv", "kv-missing", steps("setWeight: 100")));

        Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(30), phase("Rejected"));

        assertThat(r.getStatus().message).contains("kv-missing").contains("does not exist");
    }

    @Test
    void schemaInvalidRolloutsAreRefusedByKubectlWithTheField() {
        String base = Manifests.rollout(ns, "kv", "kv", "kv-v1", steps("setWeight: 100"));

        var tooHeavy =
                LocalCluster.kubectlWithInput(
                        base.replace("setWeight: 100", "setWeight: 150"), "apply", "-f", "-");
        var twoActions =
                LocalCluster.kubectlWithInput(
                        base.replace(
                                "- setWeight: 100", "- {setWeight: 10, pause: {duration: 5s}}"),
                        "apply",
                        "-f",
                        "-");
        var both =
                LocalCluster.kubectlWithInput(
                        base.replace(
                                "  release:\n",
                                "  releaseSelector: {matchLabels: {app: kv}}\n  release:\n"),
                        "apply",
                        "-f",
                        "-");

        assertThat(tooHeavy.exit()).isNotZero();
        assertThat(tooHeavy.err()).contains("setWeight");
        assertThat(twoActions.exit()).isNotZero();
        assertThat(twoActions.err()).contains("exactly one of setWeight, pause or analysis");
        assertThat(both.exit()).isNotZero();
        assertThat(both.err()).contains("exactly one of spec.release or spec.releaseSelector");
    }
}
