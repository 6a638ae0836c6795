package dev.lastgood.reconciler;

import dev.lastgood.analysis.Outcome;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes analysis rounds off the reconcile threads.
 *
 * <p>A round queries Prometheus, which may take up to its timeout. Done on a reconcile thread, a
 * slow Prometheus would hold that thread for seconds, and the reconcile pool would have to be large
 * enough for every canary under analysis to wait at once; on a small machine a large pool then
 * stretches every reconcile with CPU contention. Here a round due is started on a pool of its own;
 * the pass that finds it running holds the step (see the planner) and the round's end wakes the
 * Rollout again to record it.
 *
 * <p>A round is known by a key: its Rollout, the analysis spec and placeholders, and the round it
 * follows ({@code status.analysis.lastRoundAt}). Its result is handed out only for that key, so it
 * is never recorded against another canary; and it is kept, not handed out once, until a pass finds
 * no round due any more or another one due. A pass that takes the result and then fails (its status
 * write refused during an API server outage, a conflict) finds the same result on its retry instead
 * of starting, and waiting for, a fresh round each time. Recording it twice is not possible: the
 * status write that records it moves {@code lastRoundAt}, and it is made with the resourceVersion
 * read, so a second write from a stale read is refused.
 */
class AnalysisRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);

    private final ThreadPoolExecutor pool;
    private final Consumer<ResourceID> wake;
    private final Map<ResourceID, Round> rounds = new ConcurrentHashMap<>();

    private record Round(String key, CompletableFuture<List<Outcome>> result, Instant started) {}

    /** A round that has ended: its outcomes, and when it started querying. */
    record Ended(List<Outcome> outcomes, Instant startedAt) {}

    /**
     * @param threads how many rounds may query at once
     * @param wake asks for a reconcile of a Rollout whose round has ended
     */
    AnalysisRunner(int threads, Consumer<ResourceID> wake) {
        AtomicInteger n = new AtomicInteger();
        // Unbounded queue: a round due is never refused, only late; waiting() reports the backlog.
        this.pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "analysis-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        this.wake = wake;
    }

    /**
     * The outcomes of the round known by {@code key} once it has ended; empty while it runs. The
     * first call for a key starts the round with {@code measure}; later calls for the same key get
     * the same outcomes until {@link #settled} or another key replaces them.
     */
    Optional<Ended> round(ResourceID rollout, String key, Supplier<List<Outcome>> measure) {
        Round current = rounds.get(rollout);
        if (current != null && current.key().equals(key)) {
            if (!current.result().isDone()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Ended(current.result().join(), current.started()));
            } catch (CompletionException e) {
                // A round that failed outright (a failed query is an outcome, not this) is
                // started again rather than handed out as a failure for good.
                LOG.warn("analysis round failed, starting it again: {}", e.getCause().toString());
            }
        } else if (current != null) {
            // Started for a canary, spec or round that is no longer the one due.
            current.result().cancel(false);
        }
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

    /**
     * No round is due for this Rollout (the last one is recorded, or its canary is done), or the
     * Rollout is gone: whatever was kept for it is moot.
     */
    void settled(ResourceID rollout) {
        Round dropped = rounds.remove(rollout);
        if (dropped != null) {
            dropped.result().cancel(false);
        }
    }

    /** Rounds querying Prometheus now. */
    int querying() {
        return pool.getActiveCount();
    }

    /** Rounds due that wait for a free thread of the pool, their Rollouts held meanwhile. */
    int waiting() {
        return pool.getQueue().size();
    }

    /** How many Rollouts have a round kept or running; for tests. */
    int size() {
        return rounds.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
