package dev.lastgood.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The operator's Kubernetes client, in place of the Quarkus default: the same configuration and
 * serialization, plus two things that default cannot give.
 *
 * <ul>
 *   <li>A user agent naming the replica ({@code lastgood-operator/<identity>}), so that the API
 *       server's audit log tells the replicas apart.
 *   <li>With leader election, the {@link FencingInterceptor}: every write of the operator, its own
 *       and the operator SDK's, passes the {@link LeadershipFence}.
 * </ul>
 */
@Singleton
public class OperatorClient {
    @Produces
    @Singleton
    KubernetesClient kubernetesClient(
            KubernetesSerialization serialization, Config config, LeaderElection election) {
        Config named =
                new ConfigBuilder(config)
                        .withUserAgent("lastgood-operator/" + election.replicaIdentity())
                        .build();
        return new KubernetesClientBuilder()
                .withKubernetesSerialization(serialization)
                .withConfig(named)
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
