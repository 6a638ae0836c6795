package dev.lastgood.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The operator's Kubernetes client, in place of the Quarkus default: the same configuration (named
 * by {@link ReplicaUserAgent}) and serialization and, with leader election, the {@link
 * FencingInterceptor}, so that every write of the operator, its own and the operator SDK's, passes
 * the {@link LeadershipFence}. Quarkus offers no hook for interceptors on its own client.
 */
@Singleton
public class OperatorClient {
    @Produces
    @Singleton
    KubernetesClient kubernetesClient(
            KubernetesSerialization serialization, Config config, LeaderElection election) {
        return new KubernetesClientBuilder()
                .withKubernetesSerialization(serialization)
                .withConfig(config)
                .withHttpClientBuilderConsumer(
                        http ->
                                election.fencingInterceptor()
                                        .ifPresent(
                                                fence ->
                                                        http.addOrReplaceInterceptor(
                                                                FencingInterceptor.NAME, fence)))
                .build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
    }
}
