package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Issue #7: the kube-apiserver stops for a minute in the middle of a canary. Nothing may be
 * promoted or rolled back that should not be, and once the API server is back the operator must
 * carry on within 10 seconds, however long its retries and watches had been failing.
 *
 * <p>The outage lasts {@code -Dlastgood.outage.seconds} (60 by default).
 */
class ApiServerOutageIT extends Scenario {
    private static final Duration OUTAGE =
            Duration.ofSeconds(Long.getLong("lastgood.outage.seconds", 60));

    /** The bound issue #7 sets for resuming after the API server's return. */
    private static final Duration RESUME_BOUND = Duration.ofSeconds(10);

    static OperatorProcess operator;
    static PrometheusServer prometheus;
    static FakeApp app;
    RouteAudit audit;
    String ns;

    /** When the current outage began (the API server was sent SIGTERM). */
    Instant down;

    /**
     * The start script after an outage. It returns once the restarted controllers have judged the
     * simulated nodes Ready again, which can take longer than the bound on the operator's resume,
     * so the tests do not wait for it before they look at the operator.
     */
    CompletableFuture<Void> restart;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void startAll() {
        app = new FakeApp();
        prometheus = PrometheusServer.start(app.target());
        operator = OperatorProcess.start("apiserver-outage-it");
    }

    @AfterAll
    static void stopAll() {
        operator.close();
        prometheus.close();
        app.close();
    }

    @BeforeEach
    void freshNamespace() {
        ns = LocalCluster.namespace("outage", "production");
        audit = RouteAudit.start();
    }

    @AfterEach
    void apiServerBack() {
        audit.close();
        if (restart != null) {
            restart.exceptionally(e -> null).join();
        }
        if (!LocalCluster.apiServerReady()) {
            LocalCluster.startApiServer(); // a failed test must not leave the cluster down
        }
    }

    @Test
    void pauseEndingDuringOutageMovesOnWithinTenSecondsOfReturn() {
        String v2 = healthyThenCanaryOf("v2-short", "20s");
        Rollout paused = awaitRollout(ns, "kv", Duration.ofSeconds(90), phase("Paused"));
        Instant pauseEnd = Instant.parse(paused.getStatus().stepStartedAt).plusSeconds(20);
        assertThat(routeCanaryWeight(ns, "kv")).isEqualTo(20);

        Instant back = outage();
        clusterWhole();

        assertThat(pauseEnd).as("the pause ended during the outage").isBetween(down, back);
        // The next step is the operator's decision, recorded in status. The route's 50% also
        // needs the canary's pods available, and the restarted controller-manager may judge the
        // simulated nodes NotReady for a while; that wait is the cluster's, not the operator's.
        int pauseStep = paused.getStatus().currentStepIndex;
        await().atMost(RESUME_BOUND.plusSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> probedPast(pauseStep));
        // Dated by the operator's own PauseEnded event, not by when this test could look: the
        // start script also waits for the simulated nodes, which can take longer than the bound,
        // and no probe runs before it returns.
        Instant next = pauseEndedAt();
        System.out.printf(
                "outage: pause ended %s into the outage; next step %s after the return%n",
                Duration.between(down, pauseEnd), Duration.between(back, next));
        awaitCanaryWeight(50, pauseStep + 1, Duration.ofSeconds(90));
        assertThat(Duration.between(back, next))
                .as("next step applied within %s of the API server's return", RESUME_BOUND)
                .isLessThan(RESUME_BOUND);
        assertPromotedInOrder(v2);
    }

    @Test
    void pauseOutlastingOutageEndsAtItsDeadlineNotBefore() {
        // Room for the API server's own start (up to ~30 s on a loaded 2-core machine) and for
        // the check that analysis resumes, before the pause's deadline.
        long pauseSeconds = OUTAGE.toSeconds() + 60;
        String v2 = healthyThenCanaryOf("v2-long", pauseSeconds + "s");
        Rollout paused = awaitRollout(ns, "kv", Duration.ofSeconds(90), phase("Paused"));
        Instant pauseEnd =
                Instant.parse(paused.getStatus().stepStartedAt).plusSeconds(pauseSeconds);
        int roundsBefore = rollout(ns, "kv").getStatus().analysis.successfulRounds;

        Instant back = outage();

        // Bounded from the return, not from now. Analysis needs Prometheus and the API server,
        // not the nodes, so this looks while the start script still waits for them.
        Duration toLook = RESUME_BOUND.minus(Duration.between(back, Instant.now()));
        assertThat(toLook)
                .as("time left to look within the bound")
                .isGreaterThan(Duration.ofSeconds(1));
        await().atMost(toLook)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .alias("analysis rounds recorded again within " + RESUME_BOUND + " of the return")
                .until(() -> probedSuccessfulRounds() > roundsBefore);
        System.out.printf(
                "outage: analysis recorded again %s after the return%n",
                Duration.between(back, Instant.now()));
        assertThat(Instant.now()).as("still inside the pause").isBefore(pauseEnd);
        assertThat(probedCanaryWeight()).as("the pause is not cut short").isEqualTo(20);
        clusterWhole();
        // The pause ends when the Rollout leaves its step. The route's 50% follows once the
        // canary has the pods it needs, which after an outage is up to the cluster's controllers.
        int pauseStep = paused.getStatus().currentStepIndex;
        await().atMost(Duration.ofSeconds(pauseSeconds + 30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> probedPast(pauseStep));
        Instant left = Instant.now();
        Instant next = awaitCanaryWeight(50, pauseStep + 1, Duration.ofSeconds(60));
        assertThat(left).as("pause did not end early").isAfterOrEqualTo(pauseEnd);
        System.out.printf(
                "outage: pause outlasted it by %s; left the pause %s after its deadline, route"
                        + " at 50%% %s after it%n",
                Duration.between(back, pauseEnd),
                Duration.between(pauseEnd, left),
                Duration.between(pauseEnd, next));
        assertThat(Duration.between(pauseEnd, left))
                .as("pause ended within %s of its deadline", RESUME_BOUND)
                .isLessThan(RESUME_BOUND);
        assertThat(back).isBefore(pauseEnd);
        assertPromotedInOrder(v2);
    }

    /** When the operator recorded the end of the pause (the event's microsecond time). */
    private Instant pauseEndedAt() {
        var ended = events(ns, Reasons.PAUSE_ENDED);
        assertThat(ended).as("one PauseEnded event").hasSize(1);
        return Instant.parse(ended.get(0).getEventTime().getTime());
    }

    /** v1 healthy, then a healthy v2 whose canary pauses at 20% for {@code pause}. */
    private String healthyThenCanaryOf(String v2, String pause) {
        String v1 = v2.replace("v2", "v1");
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 20",
                        "pause: {duration: " + pause + "}",
                        "setWeight: 50",
                        "setWeight: 100");
        app.errorRate(v1, 0);
        app.errorRate(v2, 0);
        apply(Manifests.release(ns, "kv-" + v1, "kv", v1, "production"));
        apply(Manifests.release(ns, "kv-" + v2, "kv", v2, "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-" + v1, options));
        awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn(v1));
        pointRolloutAt(ns, "kv-" + v2);
        return v2;
    }

    /**
     * Stops the API server for {@link #OUTAGE} and starts it again; returns the moment it first
     * answered {@code /readyz} again, leaving the start script to wait for the nodes ({@link
     * #clusterWhole}).
     */
    private Instant outage() {
        down = Instant.now();
        LocalCluster.stopApiServer();
        assertThat(LocalCluster.apiServerReady()).as("API server down").isFalse();
        OperatorProcess.sleep(
                Math.max(0, OUTAGE.minus(Duration.between(down, Instant.now())).toMillis()));
        restart = CompletableFuture.runAsync(LocalCluster::startApiServer);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> LocalCluster.apiServerReady() || restart.isCompletedExceptionally());
        Instant back = Instant.now();
        if (restart.isCompletedExceptionally()) {
            restart.join(); // throws the start script's failure
        }
        System.out.printf("outage: API server down for %s%n", Duration.between(down, back));
        return back;
    }

    /** Waits for the start script: the controllers running again and the nodes Ready. */
    private void clusterWhole() {
        restart.join();
    }

    /** The Rollout's recorded successful analysis rounds, read by a fresh kubectl process. */
    private int probedSuccessfulRounds() {
        return Integer.parseInt(
                probedValue("rollouts.lastgood.dev", "kv", "{.status.analysis.successfulRounds}"));
    }

    /**
     * When the route is first seen at {@code weight} or the Rollout past the step that sets it. The
     * operator can go on from 50% to 100% and promote within a second, faster than a kubectl probe
     * sees each weight; {@link #assertPromotedInOrder} checks from the audit of every route write
     * that 50% was written, in order.
     */
    private Instant awaitCanaryWeight(int weight, int stepOfWeight, Duration within) {
        await().atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> probedCanaryWeight() >= weight || probedPast(stepOfWeight));
        return Instant.now();
    }

    /** The Rollout is on a later step than {@code step}, or done with its steps and Healthy. */
    private boolean probedPast(int step) {
        String[] seen =
                probed("rollouts.lastgood.dev", "kv", "{.status.currentStepIndex}|{.status.phase}")
                        .split("\\|", -1);
        return seen[0].isEmpty() ? "Healthy".equals(seen[1]) : Integer.parseInt(seen[0]) > step;
    }

    /**
     * The route's canary weight now, read by a fresh kubectl process: a client kept across the
     * restart can sit on a connection to the stopped API server and lag by tens of seconds.
     */
    private int probedCanaryWeight() {
        return Integer.parseInt(
                probedValue(
                        "httproutes.gateway.networking.k8s.io",
                        "kv",
                        "{.spec.rules[0].backendRefs[?(@.name==\"kv-canary\")].weight}"));
    }

    /** One JSONPath of an object in the test's namespace, read by a fresh kubectl process. */
    private String probed(String resource, String name, String jsonPath) {
        var r =
                LocalCluster.kubectl(
                        "-n",
                        ns,
                        "get",
                        resource,
                        name,
                        "--request-timeout=2s",
                        "-o",
                        "jsonpath=" + jsonPath);
        if (r.exit() != 0) {
            throw new IllegalStateException(
                    resource + " " + name + " not readable now: " + r.all());
        }
        return r.out().trim();
    }

    /** Same, for a field that must be set. */
    private String probedValue(String resource, String name, String jsonPath) {
        String value = probed(resource, name, jsonPath);
        if (value.isEmpty()) {
            throw new IllegalStateException(resource + " " + name + " has no " + jsonPath + " now");
        }
        return value;
    }

    /** Every step in order, one promotion, no rollback: nothing spurious happened. */
    private void assertPromotedInOrder(String v2) {
        Rollout done = awaitRollout(ns, "kv", Duration.ofSeconds(120), healthyOn(v2));
        OperatorProcess.sleep(1000);

        assertThat(done.getStatus().history)
                .extracting(h -> h.version)
                .containsExactly(v2.replace("v2", "v1"), v2);
        assertThat(events(ns, "RolledBack")).isEmpty();
        assertThat(events(ns, "Promoted")).hasSize(2);
        assertThat(audit.gaps(ns, "kv")).as("the audit saw every route write").isEmpty();
        assertThat(WeightSequence.collapse(audit.weights(ns, "kv")))
                .as("route weights as written")
                .containsExactly(0, 20, 50, 100, 0);
        assertThat(WeightSequence.problems(audit.weights(ns, "kv"), List.of(20, 50, 100), true))
                .isEmpty();
    }
}
