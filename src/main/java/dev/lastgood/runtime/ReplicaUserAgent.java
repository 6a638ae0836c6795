package dev.lastgood.runtime;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * Names the replica in the user agent of its Kubernetes client ({@code
 * lastgood-operator/<identity>}), so that the API server's audit log tells the replicas apart.
 *
 * <p>A customizer of the Config that Quarkus builds, rather than a copy of it: a copy might not
 * carry over how the client refreshes its credentials.
 */
@Singleton
public class ReplicaUserAgent implements KubernetesConfigCustomizer {
    private final LeaderElection election;

    ReplicaUserAgent(LeaderElection election) {
        this.election = election;
    }

    @Override
    public void customize(Config config) {
        config.setUserAgent("lastgood-operator/" + election.replicaIdentity());
    }
}
