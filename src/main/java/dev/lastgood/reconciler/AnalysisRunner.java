package dev.lastgood.reconciler;

import dev.lastgood.analysis.Outcome;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Takes analysis rounds off the reconcile threads.
 *
 * <p>A round queries Prometheus, which may take up to its timeout. Done on a reconcile thread, a
 * slow Prometheus would hold that thread for seconds, and the reconcile pool would have to be large
 * enough for every canary under analysis to wait at once; on a small machine a large pool then
 * stretches every reconcile with CPU contention. Here a round due is started on a pool of its own;
 * the reconcile that finds it running goes on without it, and the round's end wakes the Rollout
 * again to record it.
 *
 * <p>A round is known by a key: the Rollout, its analysis spec and placeholders, and the round it
 * follows. A finished round is handed out once and only for the same key, so a result for a canary
 * that has since changed is dropped, never recorded against another.
 */
class AnalysisRunner implements AutoCloseable {
    /** How long a finished round nobody took is kept (its Rollout was deleted, say). */
    private static final Duration UNCLAIMED = Duration.ofMinutes(10);

    private final ExecutorService pool;
    private final Consumer<ResourceID> wake;
    private final Map<ResourceID, Round> rounds = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepMillis = new AtomicLong(System.currentTimeMillis());

    private record Round(String key, CompletableFuture<List<Outcome>> result, Instant started) {}

    /** A round that has ended: its outcomes, and when it started querying. */
    record Ended(List<Outcome> outcomes, Instant startedAt) {}

    /**
     * @param threads how many rounds may query at once
     * @param wake asks for a reconcile of a Rollout whose round has ended
     */
    AnalysisRunner(int threads, Consumer<ResourceID> wake) {
        AtomicInteger n = new AtomicInteger();
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "analysis-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        this.wake = wake;
    }

    /**
     * The outcomes of the round known by {@code key} once it has ended; empty while it runs. The
     * first call for a key starts the round with {@code measure}.
     */
    Optional<Ended> take(ResourceID rollout, String key, Supplier<List<Outcome>> measure) {
        Round current = rounds.get(rollout);
        if (current != null && current.key().equals(key)) {
            if (!current.result().isDone()) {
                return Optional.empty();
            }
            rounds.remove(rollout, current);
            return Optional.of(new Ended(current.result().join(), current.started()));
        }
        if (current != null) {
            // Started for a canary, spec or round that is no longer the one due.
            current.result().cancel(false);
            rounds.remove(rollout, current);
        }
        sweep();
        CompletableFuture<List<Outcome>> result = CompletableFuture.supplyAsync(measure, pool);
        rounds.put(rollout, new Round(key, result, Instant.now()));
        // After the put, so that the reconcile it wakes finds the round done.
        result.whenComplete((r, e) -> wake.accept(rollout));
        return Optional.empty();
    }

    /** True while a round for this Rollout is running. */
    boolean running(ResourceID rollout) {
        Round current = rounds.get(rollout);
        return current != null && !current.result().isDone();
    }

    /** A deleted Rollout's round would otherwise stay in memory for good. */
    private void sweep() {
        long now = System.currentTimeMillis();
        long last = lastSweepMillis.get();
        if (now - last < UNCLAIMED.toMillis() || !lastSweepMillis.compareAndSet(last, now)) {
            return;
        }
        Instant cutoff = Instant.now().minus(UNCLAIMED);
        rounds.values().removeIf(r -> r.result().isDone() && r.started().isBefore(cutoff));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
