package dev.lastgood.runtime;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
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
        var builder = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME);
        // Without a namespace the SDK falls back to the client's namespace (in a pod, the
        // service account's); the chart sets it explicitly from the downward API.
        namespace.filter(ns -> !ns.isBlank()).ifPresent(builder::withLeaseNamespace);
        LOG.info(
                "leader election on: Lease {}/{}",
                namespace.orElse("(the client's namespace)"),
                LEASE_NAME);
        return builder.build();
    }
}
