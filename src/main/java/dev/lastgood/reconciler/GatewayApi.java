package dev.lastgood.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether the cluster serves the Gateway API HTTPRoute kind. */
final class GatewayApi {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayApi.class);

    private GatewayApi() {}

    /**
     * Checked once at start: an informer on a kind the server does not serve would keep the
     * operator from starting at all, while only Rollouts that ask for a route need it.
     */
    static boolean installed(KubernetesClient client) {
        try {
            var resources = client.getApiResources("gateway.networking.k8s.io/v1");
            boolean served =
                    resources != null
                            && resources.getResources().stream()
                                    .anyMatch(r -> "httproutes".equals(r.getName()));
            if (!served) {
                LOG.warn(
                        "Gateway API HTTPRoute is not served; Rollouts with spec.traffic.gatewayAPI"
                                + " will report InvalidSpec");
            }
            return served;
        } catch (KubernetesClientException e) {
            LOG.warn("could not check for the Gateway API: {}", e.getMessage());
            return false;
        }
    }
}
