package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.BuildReleaseStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ground the other tests stand on: a real control plane that runs Deployments. */
class ControlPlaneIT extends Scenario {

    @Test
    void deploymentAppliedWithKubectlBecomesAvailable() {
        String ns = LocalCluster.namespace("cp", null);

        apply(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: %s
                spec:
                  replicas: 3
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: web
                          image: registry.example/web@%s
                """
                        .formatted(ns, Manifests.DIGEST));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                assertThat(deployment(ns, "web").getStatus().getAvailableReplicas())
                                        .isEqualTo(3));
    }

    @Test
    void serverSideApplyPatchesTheStatusOfACustomResource() {
        String ns = LocalCluster.namespace("cp", "production");
        apply(Manifests.release(ns, "probe", "probe", "v1", "production"));
        BuildRelease patch = new BuildRelease();
        patch.setMetadata(new ObjectMetaBuilder().withName("probe").withNamespace(ns).build());
        patch.setStatus(new BuildReleaseStatus());
        Condition c =
                new ConditionBuilder()
                        .withType("Probe")
                        .withStatus("True")
                        .withReason("Probe")
                        .withMessage("written by server-side apply")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .build();
        patch.getStatus().conditions.add(c);

        K.resources(BuildRelease.class)
                .inNamespace(ns)
                .withName("probe")
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager("ssa-probe")
                                .withForce(true)
                                .build(),
                        patch);

        BuildRelease read = K.resources(BuildRelease.class).inNamespace(ns).withName("probe").get();
        assertThat(read.getStatus().conditions).extracting(Condition::getType).contains("Probe");
        assertThat(read.getMetadata().getManagedFields())
                .anySatisfy(
                        f -> {
                            assertThat(f.getManager()).isEqualTo("ssa-probe");
                            assertThat(f.getOperation()).isEqualTo("Apply");
                            assertThat(f.getSubresource()).isEqualTo("status");
                        });
    }
}
