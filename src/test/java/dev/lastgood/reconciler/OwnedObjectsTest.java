package dev.lastgood.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.GatewayApiTraffic;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.ServicePortSpec;
import dev.lastgood.api.v1alpha1.TrafficSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;

class OwnedObjectsTest {

    @Test
    void readsBackTheCanaryWeightItWroteIntoTheRoute() {
        HTTPRoute route = OwnedObjects.route(rollout("kv"), 30);

        assertThat(OwnedObjects.backendWeight(route, "kv-canary")).isEqualTo(30);
        assertThat(OwnedObjects.backendWeight(route, "kv-stable")).isEqualTo(70);
    }

    @Test
    void countsABackendWithoutWeightAsOneAndAMissingBackendAsZero() {
        HTTPRoute route =
                new HTTPRouteBuilder()
                        .withNewSpec()
                        .addNewRule()
                        .withBackendRefs(new HTTPBackendRefBuilder().withName("kv-stable").build())
                        .endRule()
                        .endSpec()
                        .build();

        assertThat(OwnedObjects.backendWeight(route, "kv-stable")).isEqualTo(1);
        assertThat(OwnedObjects.backendWeight(route, "kv-canary")).isZero();
        assertThat(OwnedObjects.backendWeight(new HTTPRoute(), "kv-canary")).isZero();
    }

    static Rollout rollout(String name) {
        Rollout r = new Rollout();
        r.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("u1").build());
        RolloutSpec spec = new RolloutSpec();
        spec.service = new ServicePortSpec();
        spec.service.port = 80;
        spec.traffic = new TrafficSpec();
        spec.traffic.gatewayAPI = new GatewayApiTraffic();
        r.setSpec(spec);
        return r;
    }
}
