package dev.lastgood.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

class InSyncMemoTest {
    private static final ResourceID WEB = new ResourceID("web", "shop");

    private static Deployment deployment(String resourceVersion, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("web-stable")
                .withNamespace("shop")
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .endSpec()
                .build();
    }

    @Test
    void aRememberedMatchHoldsWhileNeitherSideChanges() {
        var memo = new InSyncMemo();
        byte[] desired = InSyncMemo.digest(deployment(null, 3));
        memo.remember(WEB, deployment("7", 3), desired);

        assertThat(memo.inSync(WEB, deployment("7", 3), InSyncMemo.digest(deployment(null, 3))))
                .isTrue();
    }

    @Test
    void anyWriteToTheObjectSendsItBackThroughTheMatcher() {
        var memo = new InSyncMemo();
        byte[] desired = InSyncMemo.digest(deployment(null, 3));
        memo.remember(WEB, deployment("7", 3), desired);

        // Someone scaled it by hand: a new resourceVersion, whatever the content.
        assertThat(memo.inSync(WEB, deployment("8", 5), desired)).isFalse();
    }

    @Test
    void aChangeToWhatTheOperatorWouldApplySendsItBackThroughTheMatcher() {
        var memo = new InSyncMemo();
        memo.remember(WEB, deployment("7", 3), InSyncMemo.digest(deployment(null, 3)));

        assertThat(memo.inSync(WEB, deployment("7", 3), InSyncMemo.digest(deployment(null, 4))))
                .isFalse();
    }

    @Test
    void objectsOfTheSameNameAndAnotherKindOrRolloutAreKeptApart() {
        var memo = new InSyncMemo();
        var service =
                new ServiceBuilder()
                        .withNewMetadata()
                        .withName("web-stable")
                        .withNamespace("shop")
                        .withResourceVersion("7")
                        .endMetadata()
                        .build();
        byte[] desired = InSyncMemo.digest(deployment(null, 3));
        memo.remember(WEB, deployment("7", 3), desired);

        assertThat(memo.inSync(WEB, service, desired)).isFalse();
        assertThat(memo.inSync(new ResourceID("api", "shop"), deployment("7", 3), desired))
                .isFalse();
    }

    @Test
    void theDigestSeesEveryFieldTheOperatorApplies() {
        var service =
                new ServiceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .addToLabels("app", "web")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(80)
                        .withTargetPort(new IntOrString(8080))
                        .endPort()
                        .endSpec()
                        .build();
        byte[] original = InSyncMemo.digest(service);

        var samePort = new ServiceBuilder(service).build();
        var otherTarget = new ServiceBuilder(service).build();
        otherTarget.getSpec().getPorts().get(0).setTargetPort(new IntOrString("http"));
        var otherLabel = new ServiceBuilder(service).build();
        otherLabel.getMetadata().getLabels().put("app", "api");

        assertThat(InSyncMemo.digest(samePort)).isEqualTo(original);
        assertThat(InSyncMemo.digest(otherTarget)).isNotEqualTo(original);
        assertThat(InSyncMemo.digest(otherLabel)).isNotEqualTo(original);
    }

    @Test
    void aDeletedRolloutLeavesNothingBehind() {
        var memo = new InSyncMemo();
        byte[] desired = InSyncMemo.digest(deployment(null, 3));
        memo.remember(WEB, deployment("7", 3), desired);

        memo.forget(WEB);

        assertThat(memo.size()).isZero();
        assertThat(memo.inSync(WEB, deployment("7", 3), desired)).isFalse();
    }

    @Test
    void anObjectWithoutAResourceVersionIsNeverRemembered() {
        var memo = new InSyncMemo();
        byte[] desired = InSyncMemo.digest(deployment(null, 3));
        memo.remember(WEB, deployment(null, 3), desired);

        assertThat(memo.size()).isZero();
    }
}
