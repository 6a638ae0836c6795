package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lastgood.it.Manifests.RolloutOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Two operators with leader election on, as the chart runs them: one reconciles, the standby is
 * ready and takes over when the leader dies, and a leader that loses its Lease exits.
 *
 * <p>Mid-canary failovers (#7): a leader killed mid-step is replaced within 20 s and the rollout
 * goes on from the same step; a leader frozen past its Lease writes nothing once it wakes, as the
 * API server's audit log shows (each replica's user agent names it).
 */
class LeaderElectionIT extends Scenario {
    /** A Lease's MicroTime. */
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static final RolloutOptions DIRECT =
            new RolloutOptions(1, List.of("setWeight: 100"), null, "2s", 2, false, 120);

    OperatorProcess first;
    OperatorProcess second;
    String leaseNs;
    String ns;

    /** A canary with two timed pauses of different lengths, so that every event note is unique. */
    private static final RolloutOptions CANARY =
            new RolloutOptions(
                    2,
                    List.of(
                            "setWeight: 20",
                            "pause: {duration: 5s}",
                            "setWeight: 50",
                            "pause: {duration: 4s}",
                            "setWeight: 100"),
                    null,
                    "2s",
                    2,
                    true,
                    120);

    /** Issue #7: from the leader's death to the new leader's first step. */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(20);

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> second, () -> ns);
    @RegisterExtension TestWatcher dumpFirst = dumpOnFailure(() -> first, () -> null);

    @AfterEach
    void stop() {
        for (OperatorProcess op : new OperatorProcess[] {first, second}) {
            if (op != null) {
                op.close();
            }
        }
    }

    @Test
    void standbyIsReadyAndTakesOverWhenTheLeaderDies() {
        leaseNs = LocalCluster.namespace("lease", null);
        first = OperatorProcess.start("leader-first", LocalCluster.kubeconfig(), env("first"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(holder()));
        second = OperatorProcess.start("leader-second", LocalCluster.kubeconfig(), env("second"));

        assertThat(ready(second)).as("a standby is ready").isTrue();
        assertThat(holder()).isEqualTo("first");
        ns = LocalCluster.namespace("lease-app", "production");
        deploy("kv-a");
        awaitRollout(ns, "kv-a", Duration.ofSeconds(60), healthyOn("v1"));

        first.kill();
        Instant killed = Instant.now();
        await().atMost(Duration.ofSeconds(40)).until(() -> "second".equals(holder()));
        deploy("kv-b");

        awaitRollout(ns, "kv-b", Duration.ofSeconds(60), healthyOn("v1"));
        assertThat(Duration.between(killed, Instant.now()))
                .as("the Lease expires after 15s")
                .isLessThan(Duration.ofSeconds(60));
    }

    /**
     * A normal stop (SIGTERM, as in a rolling update) hands the Lease over: the standby leads at
     * once instead of after the Lease's 15 s without a leader.
     */
    @Test
    void leaderStoppedNormallyHandsTheLeaseOverAtOnce() {
        twoReplicas();
        ns = LocalCluster.namespace("handover", "production");
        deploy("kv-a");
        awaitRollout(ns, "kv-a", Duration.ofSeconds(60), healthyOn("v1"));

        Instant stopping = Instant.now();
        first.close();
        Instant stopped = Instant.now();
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "second".equals(holder()));
        Duration gap = Duration.between(stopped, Instant.now());
        System.out.printf(
                "hand-over: the leader took %s to stop; the standby held the Lease %s after%n",
                Duration.between(stopping, stopped), gap);

        assertThat(first.log()).contains("handed the Lease");
        assertThat(gap)
                .as("the Lease changed hands before it would have expired")
                .isLessThan(Duration.ofSeconds(10));
        deploy("kv-b");
        awaitRollout(ns, "kv-b", Duration.ofSeconds(60), healthyOn("v1"));
    }

    @Test
    void leaderThatLosesItsLeaseExits() {
        leaseNs = LocalCluster.namespace("lease", null);
        second = OperatorProcess.start("leader-lost", LocalCluster.kubeconfig(), env("only"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "only".equals(holder()));

        String now = MICROS.format(Instant.now());
        kubectlOk(
                "-n",
                leaseNs,
                "patch",
                "lease",
                "lastgood-operator",
                "--type=merge",
                "-p",
                "{\"spec\":{\"holderIdentity\":\"another\",\"acquireTime\":\""
                        + now
                        + "\",\"renewTime\":\""
                        + now
                        + "\",\"leaseDurationSeconds\":3600}}");

        assertThat(second.awaitExit(Duration.ofSeconds(30)))
                .as("exit code after losing the Lease")
                .isEqualTo(1);
        assertThat(second.log()).contains("lost the Lease lastgood-operator");
    }

    @Test
    void leaderKilledMidStepIsReplacedWithin20sAndTheRolloutResumesAtThatStep() {
        twoReplicas();
        healthyOnV1();

        try (Sampler sampler = new Sampler(ns, "kv")) {
            pointRolloutAt(ns, "kv-v2");
            awaitPausedAfterFirstWeight();
            Instant killed = Instant.now();
            first.kill();
            Instant newHolder = awaitHolder("second", Duration.ofSeconds(40));
            AuditLog.Write firstStep = awaitFirstWriteIn(ns, "second", killed);
            awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v2"));
            OperatorProcess.sleep(300);

            System.out.printf(
                    "takeover after SIGKILL: Lease held by the standby after %d ms, its first"
                            + " write after %d ms (%s)%n",
                    Duration.between(killed, newHolder).toMillis(),
                    Duration.between(killed, firstStep.received()).toMillis(),
                    firstStep);
            assertThat(Duration.between(killed, newHolder))
                    .as("kill -> standby holds the Lease")
                    .isLessThan(TAKEOVER_BOUND);
            assertThat(Duration.between(killed, firstStep.received()))
                    .as("kill -> standby's first write (%s)", firstStep)
                    .isLessThan(TAKEOVER_BOUND);
            assertWeightsInOrder(sampler);
        }
        assertThat(firstTransitionBy("second"))
                .as("the new leader goes on with the pause the old one was in")
                .isEqualTo("PauseEnded: pause of 5s ended");
        assertEachStepOnceAndOnePromotion();
    }

    @Test
    void leaderFrozenPastItsLeaseWritesNothingAfterItWakes() {
        assumeTrue(AuditLog.enabled(), "the local cluster writes no audit log (LG_AUDIT_LOG=0)");
        twoReplicas();
        healthyOnV1();

        Instant thawed;
        try (Sampler sampler = new Sampler(ns, "kv")) {
            pointRolloutAt(ns, "kv-v2");
            awaitPausedAfterFirstWeight();
            Instant frozen = Instant.now();
            first.freeze();
            awaitHolder("second", Duration.ofSeconds(40));
            // 25 s: past the Lease (15 s) and the pause's deadline, so that the frozen leader
            // wakes with a reconciliation overdue.
            OperatorProcess.sleep(
                    Math.max(
                            0, Duration.between(Instant.now(), frozen.plusSeconds(25)).toMillis()));
            thawed = Instant.now();
            first.thaw();

            assertThat(first.awaitExit(Duration.ofSeconds(30)))
                    .as("the old leader exits once awake")
                    .isEqualTo(1);
            awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v2"));
            OperatorProcess.sleep(300);
            assertWeightsInOrder(sampler);
        }

        assertThat(
                        AuditLog.writesBy(agent("first")).stream()
                                .filter(w -> !w.received().isBefore(thawed)))
                .as("writes of the old leader after SIGCONT, as the API server logged them")
                .isEmpty();
        assertThat(AuditLog.writesBy(agent("first")))
                .as("the old leader's writes are in the audit log at all")
                .anySatisfy(w -> assertThat(w.namespace()).isEqualTo(ns));
        assertEachStepOnceAndOnePromotion();
    }

    private void twoReplicas() {
        leaseNs = LocalCluster.namespace("lease", null);
        first = OperatorProcess.start("leader-first", LocalCluster.kubeconfig(), env("first"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(holder()));
        second = OperatorProcess.start("leader-second", LocalCluster.kubeconfig(), env("second"));
        assertThat(holder()).isEqualTo("first");
    }

    private void healthyOnV1() {
        ns = LocalCluster.namespace("failover", "production");
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", CANARY));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
    }

    /**
     * In the first pause, with the first weight announced: the status is written before the event,
     * so a leader killed between the two would lose the event (by design), which is not what these
     * tests are about.
     */
    private void awaitPausedAfterFirstWeight() {
        awaitRollout(
                ns,
                "kv",
                Duration.ofSeconds(60),
                r ->
                        "Paused".equals(r.getStatus().phase)
                                && Integer.valueOf(1).equals(r.getStatus().currentStepIndex));
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                events(ns, "WeightChanged").stream()
                                        .anyMatch(e -> e.getNote().endsWith("0% -> 20%")));
    }

    /** When the Lease was first seen held by {@code identity}. */
    private Instant awaitHolder(String identity, Duration timeout) {
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> identity.equals(holder()));
        return Instant.now();
    }

    private static String agent(String identity) {
        return "lastgood-operator/" + identity;
    }

    /** The first write the replica made in {@code namespace} after {@code since}. */
    private static AuditLog.Write awaitFirstWriteIn(
            String namespace, String identity, Instant since) {
        java.util.concurrent.atomic.AtomicReference<AuditLog.Write> found =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            AuditLog.writesBy(agent(identity)).stream()
                                    .filter(w -> namespace.equals(w.namespace()))
                                    .filter(w -> !w.received().isBefore(since))
                                    .findFirst()
                                    .ifPresent(found::set);
                            return found.get() != null;
                        });
        return found.get();
    }

    /** Canary weights only ever grow, 20 then 50, until the promotion returns them to 0. */
    private static void assertWeightsInOrder(Sampler sampler) {
        List<Integer> weights = sampler.weights();
        assertThat(weights).as("canary weights seen").containsSubsequence(0, 20, 50).endsWith(0);
        assertThat(weights.subList(0, weights.size() - 1)).as("canary weights seen").isSorted();
    }

    /** The reason and note of the first transition the replica announced. */
    private String firstTransitionBy(String identity) {
        return K.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> identity.equals(e.getReportingInstance()))
                .sorted(Comparator.comparing(e -> e.getEventTime().getTime()))
                .map(e -> e.getReason() + ": " + e.getNote())
                .findFirst()
                .orElse("(none)");
    }

    /** Across both replicas every step is announced once, and v2 is promoted once. */
    private void assertEachStepOnceAndOnePromotion() {
        Map<String, Long> notes =
                K.events().v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(
                                e ->
                                        List.of("WeightChanged", "PauseEnded", "CanaryStarted")
                                                .contains(e.getReason()))
                        .collect(
                                Collectors.groupingBy(
                                        e -> e.getReason() + ": " + e.getNote(),
                                        Collectors.counting()));
        assertThat(notes)
                .containsOnlyKeys(
                        "CanaryStarted: " + canaryStartedNote(),
                        "WeightChanged: canary v2 weight 0% -> 20%",
                        "PauseEnded: pause of 5s ended",
                        "WeightChanged: canary v2 weight 20% -> 50%",
                        "PauseEnded: pause of 4s ended",
                        "WeightChanged: canary v2 weight 50% -> 100%")
                .allSatisfy((note, count) -> assertThat(count).as(note).isEqualTo(1L));
        assertThat(rollout(ns, "kv").getStatus().history)
                .extracting(h -> h.version)
                .containsExactly("v1", "v2");
        assertThat(events(ns, "Promoted")).as("promotions of v1, then v2").hasSize(2);
    }

    private String canaryStartedNote() {
        return events(ns, "CanaryStarted").stream()
                .map(e -> e.getNote())
                .findFirst()
                .orElse("(no CanaryStarted event)");
    }

    private Map<String, String> env(String identity) {
        return Map.of(
                "LASTGOOD_LEADER_ELECTION", "true",
                "LASTGOOD_LEASE_NAMESPACE", leaseNs,
                "HOSTNAME", identity);
    }

    private void deploy(String name) {
        apply(Manifests.release(ns, name + "-v1", name, "v1", "production"));
        apply(Manifests.rollout(ns, name, name, name + "-v1", DIRECT));
    }

    private String holder() {
        return LocalCluster.kubectl(
                        "-n",
                        leaseNs,
                        "get",
                        "lease",
                        "lastgood-operator",
                        "-o",
                        "jsonpath={.spec.holderIdentity}")
                .out();
    }

    private static boolean ready(OperatorProcess op) {
        try {
            var response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(op.url("/q/health/ready")))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
