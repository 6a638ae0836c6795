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

        Optional<AnalysisRunner.Ended> first = runner.take(KV, "r1", blocking(release, queries));
        Optional<AnalysisRunner.Ended> whileRunning =
                runner.take(KV, "r1", blocking(release, queries));

        assertThat(first).as("the caller does not wait for Prometheus").isEmpty();
        assertThat(whileRunning).isEmpty();
        assertThat(runner.running(KV)).isTrue();
        assertThat(woken).isEmpty();

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));
        Optional<AnalysisRunner.Ended> ended = runner.take(KV, "r1", blocking(release, queries));

        assertThat(ended).map(AnalysisRunner.Ended::outcomes).contains(GOOD);
        assertThat(queries).as("one query for the round, however often asked").hasValue(1);
        assertThat(runner.running(KV)).isFalse();
    }

    @Test
    void handsOutARoundOnlyOnce() {
        AtomicInteger queries = new AtomicInteger();
        java.util.function.Supplier<List<Outcome>> measure =
                () -> {
                    queries.incrementAndGet();
                    return GOOD;
                };
        runner.take(KV, "r1", measure);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));

        assertThat(runner.take(KV, "r1", measure)).isPresent();
        assertThat(runner.take(KV, "r1", measure))
                .as("asked again (a status write was lost, say): a fresh round starts")
                .isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> queries.get() == 2);
    }

    @Test
    void dropsARoundStartedForAnotherCanary() {
        runner.take(KV, "canary-v2", () -> GOOD);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(KV));

        Optional<AnalysisRunner.Ended> forV3 = runner.take(KV, "canary-v3", () -> GOOD);

        assertThat(forV3).as("v2's result is never recorded for v3").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(runner.take(KV, "canary-v3", () -> GOOD)).isPresent();
    }

    @Test
    void keepsRolloutsApart() {
        ResourceID other = new ResourceID("web", "prod");
        runner.take(KV, "r1", () -> GOOD);
        runner.take(other, "r1", () -> List.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);

        assertThat(runner.take(other, "r1", () -> GOOD))
                .map(AnalysisRunner.Ended::outcomes)
                .contains(List.of());
        assertThat(runner.take(KV, "r1", () -> List.of()))
                .map(AnalysisRunner.Ended::outcomes)
                .contains(GOOD);
    }

    private static java.util.function.Supplier<List<Outcome>> blocking(
            CountDownLatch release, AtomicInteger queries) {
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
}
