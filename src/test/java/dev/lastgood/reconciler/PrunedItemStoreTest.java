package dev.lastgood.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunedItemStoreTest {
    private static Deployment deployment() {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("web-stable")
                .withNamespace("shop")
                .withResourceVersion("7")
                .addToAnnotations(PrunedItemStore.LAST_APPLIED, "{\"big\":\"json\"}")
                .addToAnnotations("lastgood.dev/promote", "true")
                .withManagedFields(
                        new ManagedFieldsEntryBuilder()
                                .withManager("lastgood")
                                .withOperation("Apply")
                                .build(),
                        new ManagedFieldsEntryBuilder()
                                .withManager("kube-controller-manager")
                                .withOperation("Update")
                                .withSubresource("status")
                                .build(),
                        new ManagedFieldsEntryBuilder()
                                .withManager("kubectl-edit")
                                .withOperation("Update")
                                .build())
                .endMetadata()
                .build();
    }

    @Test
    void keepsOnlyTheOperatorsOwnManagedFieldsEntry() {
        var store = new PrunedItemStore<Deployment>("lastgood");
        store.put("shop/web-stable", deployment());

        var cached = store.get("shop/web-stable");
        assertThat(cached.getMetadata().getManagedFields())
                .extracting(e -> e.getManager())
                .containsExactly("lastgood");
    }

    @Test
    void dropsKubectlsLastAppliedAnnotationAndKeepsTheOthers() {
        var cached = PrunedItemStore.prune(deployment(), "lastgood");

        assertThat(cached.getMetadata().getAnnotations())
                .isEqualTo(Map.of("lastgood.dev/promote", "true"));
        assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    }

    @Test
    void anObjectWithoutManagedFieldsOrAnnotationsIsStoredAsIs() {
        var bare = new DeploymentBuilder().withNewMetadata().withName("x").endMetadata().build();

        assertThat(PrunedItemStore.prune(bare, "lastgood")).isEqualTo(bare);
        assertThat(bare.getMetadata().getManagedFields()).isEmpty();
    }
}
