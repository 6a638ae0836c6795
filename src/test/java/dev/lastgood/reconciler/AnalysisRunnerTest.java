package dev.lastgood.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.analysis.Outcome;
import dev.lastgood.analysis.Result;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnalysisRunnerTest {
    private static final ResourceID KV = new ResourceID("kv", "prod");
    private static final List<Outcome> GOOD =
            List.of(new Outcome("error-rate", Result.SUCCESSFUL, "0", "ok"));

    private final List<ResourceID> woken = new CopyOnWriteArrayList<>();
    private final AnalysisRunner runner = new AnalysisRunner(2, woken::add);

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void startsARoundOffTheCallerAndHandsItOutOnceItEnded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger queries = new AtomicInteger();

        Optional<AnalysisRunner.Ended> first = runner.round(KV, "r1", blocking(release, queries));
        Optional<AnalysisRunner.Ended> whileRunning =
                runner.round(KV, "r1", blocking(release, queries));

        assertThat(first).as("the caller does not wait for Prometheus").isEmpty();
        assertThat(whileRunning).isEmpty();
        assertThat(runner.running(KV)).isTrue();
        assertThat(woken).isEmpty();

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));
        Optional<AnalysisRunner.Ended> ended = runner.round(KV, "r1", blocking(release, queries));

        assertThat(ended).map(AnalysisRunner.Ended::outcomes).contains(GOOD);
        assertThat(queries).as("one query for the round, however often asked").hasValue(1);
        assertThat(runner.running(KV)).isFalse();
    }

    @Test
    void keepsARoundForTheRetryOfAFailedPassUntilSettled() {
        AtomicInteger queries = new AtomicInteger();
        Supplier<List<Outcome>> measure =
                () -> {
                    queries.incrementAndGet();
                    return GOOD;
                };
        runner.round(KV, "r1", measure);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));

        assertThat(runner.round(KV, "r1", measure)).isPresent();
        assertThat(runner.round(KV, "r1", measure))
                .as("asked again (the pass's status write was refused, say): the same round")
                .map(AnalysisRunner.Ended::outcomes)
                .contains(GOOD);
        assertThat(queries).hasValue(1);
        assertThat(runner.running(KV)).isFalse();

        runner.settled(KV);
        assertThat(runner.size()).isZero();
        assertThat(runner.round(KV, "r1", measure))
                .as("once settled, a round due again is a fresh one")
                .isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> queries.get() == 2);
    }

    @Test
    void startsARoundThatFailedOutrightAgain() {
        AtomicInteger queries = new AtomicInteger();
        Supplier<List<Outcome>> failingOnce =
                () -> {
                    if (queries.incrementAndGet() == 1) {
                        throw new IllegalStateException("no route to Prometheus");
                    }
                    return GOOD;
                };
        runner.round(KV, "r1", failingOnce);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);

        assertThat(runner.round(KV, "r1", failingOnce)).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(runner.round(KV, "r1", failingOnce))
                .map(AnalysisRunner.Ended::outcomes)
                .contains(GOOD);
    }

    @Test
    void settlingCancelsARunningRound() {
        CountDownLatch release = new CountDownLatch(1);
        runner.round(KV, "r1", blocking(release, new AtomicInteger()));
        assertThat(runner.running(KV)).isTrue();

        runner.settled(KV);

        assertThat(runner.running(KV)).isFalse();
        assertThat(runner.size()).isZero();
        release.countDown();
    }

    @Test
    void dropsARoundStartedForAnotherCanary() {
        runner.round(KV, "canary-v2", () -> GOOD);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));

        Optional<AnalysisRunner.Ended> forV3 = runner.round(KV, "canary-v3", () -> GOOD);

        assertThat(forV3).as("v2's result is never recorded for v3").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(runner.round(KV, "canary-v3", () -> GOOD)).isPresent();
    }

    @Test
    void keepsRolloutsApart() {
        ResourceID other = new ResourceID("web", "prod");
        runner.round(KV, "r1", () -> GOOD);
        runner.round(other, "r1", () -> List.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);

        assertThat(runner.round(other, "r1", () -> GOOD))
                .map(AnalysisRunner.Ended::outcomes)
                .contains(List.of());
        assertThat(runner.round(KV, "r1", () -> List.of()))
                .map(AnalysisRunner.Ended::outcomes)
                .contains(GOOD);
    }

    private static Supplier<List<Outcome>> blocking(CountDownLatch release, AtomicInteger queries) {
        return () -> {
            queries.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return GOOD;
        };
    }

    @Test
    void reportsRoundsQueryingAndRoundsWaitingForAThread() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger queries = new AtomicInteger();

        // Three Rollouts due at once on a pool of two threads.
        for (String name : List.of("a", "b", "c")) {
            runner.round(new ResourceID(name, "prod"), "r1", blocking(release, queries));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> runner.querying() == 2);
        assertThat(runner.waiting()).isEqualTo(1);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> runner.querying() == 0);
        assertThat(runner.waiting()).isZero();
    }
}
