package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Issue #7: SIGKILL of the operator at random moments while many Rollouts move. A mix of good
 * releases (must go through every step in order and be promoted exactly once) and bad ones (failing
 * analysis: must roll back and never be promoted). An auditor that shares nothing with the operator
 * ({@link RouteAudit}) watches every HTTPRoute write; status history and events are counted at the
 * end.
 *
 * <p>System properties (defaults fit CI; {@code hack/chaos-kill.sh} runs the big one):
 *
 * <ul>
 *   <li>{@code lastgood.chaos.rollouts} (8): Rollouts, each in its own namespace;
 *   <li>{@code lastgood.chaos.kills} (5): SIGKILLs of the operator, each followed by a restart;
 *   <li>{@code lastgood.chaos.parallel} (4): Rollouts moving at the same time;
 *   <li>{@code lastgood.chaos.seed} (the clock): seeds which releases are bad and when the kills
 *       come; printed, so a failing run can be replayed;
 *   <li>{@code lastgood.chaos.window} (seconds; 10 per wave of parallel Rollouts): the kills come
 *       at random moments within it.
 * </ul>
 */
class ChaosKillIT extends Scenario {
    private static final List<Integer> STEP_WEIGHTS = List.of(20, 50, 100);
    private static final int ROLLOUTS = Integer.getInteger("lastgood.chaos.rollouts", 8);
    private static final int KILLS = Integer.getInteger("lastgood.chaos.kills", 5);
    private static final int PARALLEL = Integer.getInteger("lastgood.chaos.parallel", 4);
    private static final long SEED =
            Long.getLong("lastgood.chaos.seed", System.currentTimeMillis());
    private static final Duration FINISH_WITHIN = Duration.ofMinutes(10);

    static OperatorProcess operator;
    static PrometheusServer prometheus;
    static FakeApp app;
    static RouteAudit audit;
    static final List<String> namespaces = new ArrayList<>();

    @RegisterExtension
    TestWatcher dump =
            dumpOnFailure(
                    () -> operator,
                    () -> namespaces.isEmpty() ? null : namespaces.get(namespaces.size() - 1));

    /** One Rollout of the run: its namespace, versions and whether its v2 is bad. */
    record Case(int index, String ns, boolean bad) {
        String v1() {
            return "c" + index + "-v1";
        }

        String v2() {
            return "c" + index + "-v2";
        }
    }

    @BeforeAll
    static void startAll() {
        app = new FakeApp();
        prometheus = PrometheusServer.start(app.target());
        audit = RouteAudit.start();
        operator = OperatorProcess.start("chaos-kill-it");
    }

    @AfterAll
    static void stopAll() {
        operator.close();
        audit.close();
        prometheus.close();
        app.close();
    }

    @Test
    void randomKillsNeitherPromoteTwiceNorLoseRollbacksNorSkipSteps() throws Exception {
        Random random = new Random(SEED);
        List<Case> cases = cases(random);
        long windowSeconds =
                Long.getLong(
                        "lastgood.chaos.window",
                        // Early enough that every kill lands while Rollouts are in flight,
                        // even on a quiet machine where a wave takes under 20 s.
                        10L * Math.max(1, (ROLLOUTS + PARALLEL - 1) / PARALLEL));
        System.out.printf(
                "chaos: seed=%d rollouts=%d (bad: %d) kills=%d parallel=%d window=%ds%n",
                SEED,
                ROLLOUTS,
                cases.stream().filter(Case::bad).count(),
                KILLS,
                PARALLEL,
                windowSeconds);
        Instant start = Instant.now();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService killer = Executors.newSingleThreadExecutor();
        Future<Integer> kills =
                killer.submit(() -> killAtRandom(random, windowSeconds, start, done));
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        List<Future<?>> runs = new ArrayList<>();
        for (Case c : cases) {
            runs.add(pool.submit(() -> run(c)));
        }
        try {
            for (Future<?> f : runs) {
                f.get(FINISH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        int killed = kills.get(5, TimeUnit.MINUTES);
        killer.shutdown();
        OperatorProcess.sleep(2000); // the audit's watch delivers the last writes

        List<String> problems = new ArrayList<>();
        int lostEvents = 0;
        for (Case c : cases) {
            problems.addAll(audit(c));
            lostEvents += lostPromotedEvents(c);
            System.out.printf(
                    "chaos: %s %s route weights %s, ended %s%n",
                    c.ns(),
                    c.bad() ? "bad " : "good",
                    WeightSequence.collapse(audit.weights(c.ns(), "kv")),
                    rollout(c.ns(), "kv").getStatus().phase);
        }
        System.out.printf(
                "chaos summary: seed=%d rollouts=%d good=%d bad=%d kills=%d/%d duration=%ds"
                        + " problems=%d lostPromotedEvents=%d%n",
                SEED,
                cases.size(),
                cases.stream().filter(c -> !c.bad()).count(),
                cases.stream().filter(Case::bad).count(),
                killed,
                KILLS,
                Duration.between(start, Instant.now()).toSeconds(),
                problems.size(),
                lostEvents);
        problems.forEach(p -> System.out.println("chaos problem: " + p));
        assertThat(problems).isEmpty();
        assertThat(killed).as("kills made before the rollouts ended").isEqualTo(KILLS);
    }

    /** Which releases are bad: random from the seed, but at least one of each kind. */
    private static List<Case> cases(Random random) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < ROLLOUTS; i++) {
            boolean bad = ROLLOUTS >= 2 && i < 2 ? i == 1 : random.nextInt(3) == 0;
            String ns = LocalCluster.namespace("chaos" + i, "production");
            synchronized (namespaces) {
                namespaces.add(ns);
            }
            cases.add(new Case(i, ns, bad));
        }
        return cases;
    }

    /** v1 healthy, then v2: good releases must be promoted, bad ones rolled back. */
    private static void run(Case c) {
        app.errorRate(c.v1(), 0);
        app.errorRate(c.v2(), c.bad() ? 1.0 : 0);
        RolloutOptions options =
                RolloutOptions.routed(
                        prometheus.address(),
                        "setWeight: 20",
                        "pause: {duration: 4s}",
                        "setWeight: 50",
                        "pause: {duration: 4s}",
                        "setWeight: 100");
        apply(Manifests.release(c.ns(), "kv-" + c.v1(), "kv", c.v1(), "production"));
        apply(Manifests.release(c.ns(), "kv-" + c.v2(), "kv", c.v2(), "production"));
        apply(Manifests.rollout(c.ns(), "kv", "kv", "kv-" + c.v1(), options));
        awaitFinal(c, healthyOn(c.v1()));
        pointRolloutAt(c.ns(), "kv-" + c.v2());
        // Either end counts as the end: which one was right is the audit's verdict.
        awaitFinal(c, phase("RolledBack").or(healthyOn(c.v2())));
    }

    private static void awaitFinal(Case c, java.util.function.Predicate<Rollout> end) {
        await().atMost(FINISH_WITHIN)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(
                        () -> {
                            Rollout r = rollout(c.ns(), "kv");
                            return r != null && r.getStatus() != null && end.test(r);
                        });
    }

    /**
     * SIGKILLs the operator at {@link #KILLS} random moments in the window (seeded), restarting it
     * after each; stops early once every Rollout ended. Returns the kills made.
     */
    private static int killAtRandom(
            Random random, long windowSeconds, Instant start, AtomicBoolean done) {
        List<Long> at = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            at.add(1000 + (long) (random.nextDouble() * windowSeconds * 1000));
        }
        at.sort(null);
        int made = 0;
        for (long offset : at) {
            while (!done.get() && Duration.between(start, Instant.now()).toMillis() < offset) {
                OperatorProcess.sleep(50);
            }
            if (done.get()) {
                break;
            }
            long downMillis = random.nextInt(2000);
            System.out.printf(
                    "chaos: kill %d at +%.1fs (planned +%.1fs), down %d ms%n",
                    made + 1,
                    Duration.between(start, Instant.now()).toMillis() / 1000.0,
                    offset / 1000.0,
                    downMillis);
            operator.kill();
            made++;
            OperatorProcess.sleep(downMillis);
            operator.restart();
        }
        return made;
    }

    /** What the auditor holds against one Rollout. */
    private static List<String> audit(Case c) {
        List<String> problems = new ArrayList<>();
        String id = c.ns() + (c.bad() ? " (bad " : " (good ") + c.v2() + "): ";
        Rollout r = rollout(c.ns(), "kv");
        List<Integer> weights = audit.weights(c.ns(), "kv");
        WeightSequence.problems(weights, STEP_WEIGHTS, !c.bad()).forEach(p -> problems.add(id + p));
        audit.gaps(c.ns(), "kv").forEach(g -> problems.add(id + "audit missed generations " + g));
        List<String> history = r.getStatus().history.stream().map(h -> h.version).toList();
        List<String> expected = c.bad() ? List.of(c.v1()) : List.of(c.v1(), c.v2());
        if (!history.equals(expected)) {
            problems.add(id + "status.history " + history + ", expected " + expected);
        }
        long promoted = promotedEvents(c).size();
        if (promoted > 1 || (c.bad() && promoted > 0)) {
            problems.add(id + promoted + " Promoted events for " + c.v2());
        }
        if (c.bad()) {
            if (!"RolledBack".equals(r.getStatus().phase)
                    || !c.v1().equals(r.getStatus().stable.version)) {
                problems.add(
                        id
                                + "ended "
                                + r.getStatus().phase
                                + " on "
                                + r.getStatus().stable.version
                                + ", not rolled back to "
                                + c.v1());
            }
        } else if (!events(c.ns(), "RolledBack").isEmpty()) {
            problems.add(id + "a good release was rolled back");
        }
        repeatedWeightEvents(c).forEach(n -> problems.add(id + "announced twice: " + n));
        return problems;
    }

    private static List<Event> promotedEvents(Case c) {
        return events(c.ns(), "Promoted").stream()
                .filter(e -> e.getNote() != null && e.getNote().contains("promoted " + c.v2()))
                .toList();
    }

    /**
     * Status is written before events, so a kill between the two loses an event but never the
     * promotion. Counted and printed, not failed.
     */
    private static int lostPromotedEvents(Case c) {
        return !c.bad() && promotedEvents(c).isEmpty() ? 1 : 0;
    }

    /** A step's weight change announced more than once means the step was applied twice. */
    private static List<String> repeatedWeightEvents(Case c) {
        List<String> notes = events(c.ns(), "WeightChanged").stream().map(Event::getNote).toList();
        return notes.stream()
                .filter(n -> notes.indexOf(n) != notes.lastIndexOf(n))
                .distinct()
                .toList();
    }
}
