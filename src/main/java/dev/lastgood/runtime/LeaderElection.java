package dev.lastgood.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through a Lease, opt-in at run time.
 *
 * <p>The operator SDK turns leader election on when a {@link LeaderElectionConfiguration} bean
 * exists (and the profile is one of {@code activate-leader-election-for-profiles}). This producer
 * yields that bean only when {@code lastgood.leader-election} ({@code LASTGOOD_LEADER_ELECTION}) is
 * true: a single operator run from a kubeconfig, as in the demo and the ITs, must start reconciling
 * at once instead of waiting for a Lease, and needs no Lease permissions.
 */
@Singleton
public class LeaderElection {
    /** The Lease every replica competes for. */
    public static final String LEASE_NAME = "lastgood-operator";

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /**
     * Null (no bean, no election) unless enabled. Dependent scope, because only a dependent
     * producer may return null.
     */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "lastgood.leader-election", defaultValue = "false")
                    boolean enabled,
            @ConfigProperty(name = "lastgood.lease-namespace") Optional<String> namespace) {
        if (!enabled) {
            return null;
        }
        // Without a namespace the SDK falls back to the client's namespace (in a pod, the
        // service account's); the chart sets it explicitly from the downward API.
        String leaseNamespace = namespace.filter(ns -> !ns.isBlank()).orElse(null);
        LOG.info(
                "leader election on: Lease {}/{}",
                leaseNamespace == null ? "(the client's namespace)" : leaseNamespace,
                LEASE_NAME);
        return new LeaderElectionConfiguration(
                LEASE_NAME,
                leaseNamespace,
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                null,
                new LeaderCallbacks(() -> {}, LeaderElection::lostLease, leader -> {}),
                false);
    }

    /**
     * A replica that lost its Lease must stop reconciling, or it would act beside the new leader;
     * the SDK does not stop the controllers by itself. The SDK's own exit on a lost Lease also runs
     * when a SIGTERM stops the operator, and its System.exit from within that shutdown hangs the
     * process until the kubelet kills it. The pod restarts and rejoins as a standby.
     */
    private static void lostLease() {
        if (ApplicationLifecycleManager.isVmShuttingDown()) {
            return; // a normal stop, already on its way out
        }
        LOG.warn("lost the Lease {}: exiting so that only the new leader reconciles", LEASE_NAME);
        Quarkus.asyncExit(1);
    }
}
