package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.Rollout;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Helpers for tests that drive Rollouts on the local cluster through kubectl. */
public abstract class Scenario {
    protected static final KubernetesClient K = LocalCluster.client();

    /** Runs after the subclass's own @AfterAll (which stops its operator). */
    @AfterAll
    static void deleteNamespacesOfThisClass() {
        LocalCluster.deleteCreatedNamespaces();
    }

    /** On failure: print what a person would look at first. */
    public static TestWatcher dumpOnFailure(
            java.util.function.Supplier<OperatorProcess> operator,
            java.util.function.Supplier<String> namespace) {
        return new TestWatcher() {
            @Override
            public void testFailed(ExtensionContext context, Throwable cause) {
                String ns = namespace.get();
                if (ns != null) {
                    System.err.println(
                            "=== rollouts in "
                                    + ns
                                    + "\n"
                                    + LocalCluster.kubectl(
                                                    "-n",
                                                    ns,
                                                    "get",
                                                    "rollouts,deployments,httproutes",
                                                    "-o",
                                                    "yaml")
                                            .all());
                    System.err.println(
                            "=== events in "
                                    + ns
                                    + "\n"
                                    + LocalCluster.kubectl(
                                                    "-n",
                                                    ns,
                                                    "get",
                                                    "events",
                                                    "--sort-by=.metadata.creationTimestamp")
                                            .all());
                }
                if (operator.get() != null) {
                    System.err.println("=== operator log\n" + operator.get().logTail(150));
                }
            }
        };
    }

    /**
     * The operator took whatever the test threw at it as a user's mistake or an outage: the same
     * process still runs and is ready, and its log has no stack trace and no exception at WARN or
     * ERROR.
     */
    protected static void assertUnharmed(OperatorProcess operator, long pid) {
        assertThat(operator.alive()).as("operator alive").isTrue();
        assertThat(operator.pid()).as("same operator process").isEqualTo(pid);
        assertThat(operator.ready()).as("operator ready (/q/health/ready)").isTrue();
        List<String> log = operator.log().lines().toList();
        assertThat(log).as("operator log: stack trace lines").noneMatch(l -> l.startsWith("\tat "));
        assertThat(log)
                .as("operator log: exceptions at WARN or ERROR")
                .noneMatch(
                        l ->
                                (l.contains(" WARN ") || l.contains(" ERROR "))
                                        && l.contains("Exception"));
    }

    protected static void apply(String yaml) {
        var r = LocalCluster.kubectlWithInput(yaml, "apply", "-f", "-");
        assertThat(r.exit()).as("kubectl apply: %s", r.all()).isZero();
    }

    protected static void kubectlOk(String... args) {
        var r = LocalCluster.kubectl(args);
        assertThat(r.exit()).as("kubectl %s: %s", String.join(" ", args), r.all()).isZero();
    }

    /** Points the Rollout kv in {@code ns} at another release, as a user does with kubectl. */
    protected static void pointRolloutAt(String ns, String release) {
        patchRelease(ns, "{\"name\":\"" + release + "\"}");
    }

    /** Same, for a release in another namespace. */
    protected static void pointRolloutAt(String ns, String release, String releaseNamespace) {
        patchRelease(
                ns, "{\"name\":\"" + release + "\",\"namespace\":\"" + releaseNamespace + "\"}");
    }

    private static void patchRelease(String ns, String ref) {
        kubectlOk(
                "-n",
                ns,
                "patch",
                "rollout",
                "kv",
                "--type=merge",
                "-p",
                "{\"spec\":{\"release\":" + ref + "}}");
    }

    protected static Rollout rollout(String ns, String name) {
        return K.resources(Rollout.class).inNamespace(ns).withName(name).get();
    }

    protected static Rollout awaitRollout(
            String ns, String name, Duration timeout, Predicate<Rollout> condition) {
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Rollout r = rollout(ns, name);
                            return r != null && r.getStatus() != null && condition.test(r);
                        });
        return rollout(ns, name);
    }

    protected static Predicate<Rollout> phase(String phase) {
        return r -> phase.equals(r.getStatus().phase);
    }

    protected static Predicate<Rollout> healthyOn(String version) {
        return r ->
                "Healthy".equals(r.getStatus().phase)
                        && r.getStatus().stable != null
                        && version.equals(r.getStatus().stable.version)
                        && r.getMetadata().getGeneration().equals(r.getStatus().observedGeneration);
    }

    protected static Deployment deployment(String ns, String name) {
        return K.apps().deployments().inNamespace(ns).withName(name).get();
    }

    protected static HTTPRoute route(String ns, String name) {
        return K.resources(HTTPRoute.class).inNamespace(ns).withName(name).get();
    }

    /** The canary weight of the route, or -1 when there is no route. */
    protected static int routeCanaryWeight(String ns, String name) {
        HTTPRoute r = route(ns, name);
        if (r == null) {
            return -1;
        }
        var refs = r.getSpec().getRules().get(0).getBackendRefs();
        assertThat(refs.get(0).getWeight() + refs.get(1).getWeight())
                .as("route weights sum")
                .isEqualTo(100);
        return refs.get(1).getWeight();
    }

    protected static List<Event> events(String ns, String reason) {
        return K.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }

    /** What a watcher of the route and Deployments saw, sampled every 100 ms. */
    public record Sample(Instant at, int canaryWeight, String stableRelease, String phase) {}

    /** Samples route and stable Deployment in the background until closed. */
    public static final class Sampler implements AutoCloseable {
        public final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();

        public Sampler(String ns, String name) {
            exec.scheduleAtFixedRate(
                    () -> {
                        try {
                            Deployment stable = deployment(ns, name + "-stable");
                            Rollout r = rollout(ns, name);
                            String release =
                                    stable == null
                                            ? null
                                            : stable.getSpec()
                                                    .getTemplate()
                                                    .getMetadata()
                                                    .getAnnotations()
                                                    .get("lastgood.dev/release");
                            samples.add(
                                    new Sample(
                                            Instant.now(),
                                            routeCanaryWeight(ns, name),
                                            release,
                                            r == null || r.getStatus() == null
                                                    ? null
                                                    : r.getStatus().phase));
                        } catch (RuntimeException e) {
                            // a sample lost to a transient error is fine
                        }
                    },
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
        }

        /** The distinct canary weights in the order they were seen. */
        public List<Integer> weights() {
            List<Integer> out = new java.util.ArrayList<>();
            for (Sample s : samples) {
                if (s.canaryWeight() >= 0
                        && (out.isEmpty() || out.get(out.size() - 1) != s.canaryWeight())) {
                    out.add(s.canaryWeight());
                }
            }
            return out;
        }

        @Override
        public void close() {
            exec.shutdownNow();
        }
    }
}
