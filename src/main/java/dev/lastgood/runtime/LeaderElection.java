package dev.lastgood.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through a Lease, opt-in at run time, and the fence that keeps a replica that may
 * have lost the Lease from writing.
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

    /** A standby takes over once the Lease has not been renewed for this long. */
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);

    /** A leader that could not renew for this long gives up (and exits). */
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);

    /**
     * How often the leader renews and a standby looks at the Lease. One second, not the SDK's two:
     * a standby polls with up to 120% jitter, so it notices an expired Lease up to 2.2 periods
     * late, and issue #7 asks for a takeover within 20 seconds of the leader's death; 15 s + 2.2 ×
     * 2 s would not leave room for the first reconciliation.
     */
    static final Duration RETRY_PERIOD = Duration.ofSeconds(1);

    /**
     * Room the fence leaves between its own deadline and the earliest moment another replica can
     * take the Lease: the latency of the renewal request and drift between the replicas' clocks.
     */
    static final Duration FENCE_MARGIN = Duration.ofSeconds(5);

    /** After the operator SDK's own shutdown observer, which has the default priority. */
    static final int HAND_OVER_PRIORITY =
            jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000;

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final boolean enabled;
    private final Optional<String> namespace;
    private final String identity;
    private final LeadershipFence fence = new LeadershipFence(fenceWindow(), System::nanoTime);

    /**
     * Looked up only on a stop: the client's configuration depends on this bean (its user agent
     * names the replica), so the client cannot be injected directly.
     */
    private final Instance<KubernetesClient> clients;

    @Inject
    LeaderElection(
            @ConfigProperty(name = "lastgood.leader-election", defaultValue = "false")
                    boolean enabled,
            @ConfigProperty(name = "lastgood.lease-namespace") Optional<String> namespace,
            Instance<KubernetesClient> clients) {
        this.enabled = enabled;
        this.clients = clients;
        this.namespace = namespace.filter(ns -> !ns.isBlank());
        this.identity = identity();
    }

    /** A write is allowed this long after the renewal that confirmed leadership was sent. */
    static Duration fenceWindow() {
        return LEASE_DURATION.minus(FENCE_MARGIN);
    }

    /**
     * This replica's name in the Lease, in its Kubernetes client's user agent and in its Events:
     * the pod name (HOSTNAME), or a random one outside a pod.
     */
    public String replicaIdentity() {
        return identity;
    }

    private static String identity() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? UUID.randomUUID().toString() : host;
    }

    /** The fence for the Kubernetes client; none without leader election. */
    Optional<Interceptor> fencingInterceptor() {
        return enabled
                ? Optional.of(
                        new FencingInterceptor(
                                fence, LEASE_NAME, identity, LeaderElection::exitAsStandby))
                : Optional.empty();
    }

    /**
     * Null (no bean, no election) unless enabled. Dependent scope, because only a dependent
     * producer may return null.
     */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection() {
        if (!enabled) {
            return null;
        }
        // Without a namespace the SDK falls back to the client's namespace (in a pod, the
        // service account's); the chart sets it explicitly from the downward API.
        String leaseNamespace = namespace.orElse(null);
        LOG.info(
                "leader election on: Lease {}/{} as {}; writes fenced {} after each renewal",
                leaseNamespace == null ? "(the client's namespace)" : leaseNamespace,
                LEASE_NAME,
                identity,
                fenceWindow());
        return new LeaderElectionConfiguration(
                LEASE_NAME,
                leaseNamespace,
                LEASE_DURATION,
                RENEW_DEADLINE,
                RETRY_PERIOD,
                identity,
                new LeaderCallbacks(() -> {}, this::lostLease, leader -> {}),
                false);
    }

    /**
     * On a normal stop (SIGTERM: a rolling update, a drained node), hands the Lease over at once
     * instead of leaving the standby to wait for it to expire, {@link #LEASE_DURATION} without a
     * leader. The operator SDK's own leader elector never releases it.
     *
     * <p>Runs after the SDK's shutdown observer (default priority), which stops the controllers and
     * waits for the reconciliations in flight: nothing of this replica writes after the release.
     * The fence shuts first, so that a write or a renewal still on its way is refused rather than
     * sent after the Lease has changed hands. The release is a PUT with the resourceVersion read,
     * so a Lease that another replica took meanwhile is left alone.
     */
    void handOverOnStop(@Observes @Priority(HAND_OVER_PRIORITY) ShutdownEvent stop) {
        if (!enabled || !fence.everConfirmed()) {
            return;
        }
        fence.revoke();
        try {
            KubernetesClient client = clients.get();
            String ns = namespace.orElse(client.getNamespace());
            Lease lease = client.leases().inNamespace(ns).withName(LEASE_NAME).get();
            if (lease == null
                    || lease.getSpec() == null
                    || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            // As client-go releases a Lease: no holder, and a duration that has already passed.
            lease.getSpec().setHolderIdentity(null);
            lease.getSpec().setLeaseDurationSeconds(1);
            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            client.leases().inNamespace(ns).resource(lease).update();
            LOG.info("stopping: handed the Lease {}/{} over", ns, LEASE_NAME);
        } catch (RuntimeException e) {
            LOG.info(
                    "stopping: could not hand the Lease {} over ({}); the standby takes over when"
                            + " it expires",
                    LEASE_NAME,
                    e.getMessage());
        }
    }

    /**
     * A replica that lost its Lease must stop reconciling, or it would act beside the new leader;
     * the SDK does not stop the controllers by itself. The fence shuts first, so that nothing
     * reconciling on the way out writes.
     */
    private void lostLease() {
        fence.revoke();
        if (ApplicationLifecycleManager.isVmShuttingDown()) {
            return; // a normal stop, already on its way out
        }
        LOG.warn("lost the Lease {}: exiting so that only the new leader reconciles", LEASE_NAME);
        exitAsStandby();
    }

    /**
     * Exit 1, and the pod restarts and rejoins as a standby. The SDK's own exit on a lost Lease
     * also runs when a SIGTERM stops the operator, and its System.exit from within that shutdown
     * hangs the process until the kubelet kills it: hence an asynchronous exit of our own.
     */
    private static void exitAsStandby() {
        if (!ApplicationLifecycleManager.isVmShuttingDown()) {
            Quarkus.asyncExit(1);
        }
    }
}
