package dev.lastgood.runtime;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The pool the operator SDK runs reconciliations on: a fixed pool, as the SDK's own default, that
 * also absorbs one known race of the SDK's requeue timer.
 *
 * <p>When a reconciliation ends, the SDK arms a one-shot timer for the resource (the requeue that
 * {@code rescheduleAfter} or the max reconciliation interval asks for). It records the timer task
 * in a map and then hands it to a {@link java.util.Timer}. If the resource is deleted in between,
 * the watch thread takes the task out of the map and cancels it, and {@code Timer.schedule} then
 * throws {@code IllegalStateException: Task already scheduled or cancelled}. The exception escapes
 * the reconcile thread, which dies with a framework stack trace on standard error, although nothing
 * is wrong: the resource is gone, so its requeue is moot, and the SDK cleans up its state when it
 * handles the delete event that follows.
 *
 * <p>No released operator SDK that this project can use fixes it, so the pool catches that one
 * exception (recognised by the timer's frame, see {@link #isRequeueOfDeletedResource}) and logs it
 * at DEBUG. Anything else is logged at ERROR with its stack trace, and the thread lives on.
 */
public final class ReconcileExecutor extends ThreadPoolExecutor {
    private static final Logger LOG = Logger.getLogger(ReconcileExecutor.class);

    /** The class whose {@code scheduleOnce} arms the requeue. */
    static final String TIMER_SOURCE =
            "io.javaoperatorsdk.operator.processing.event.source.timer.TimerEventSource";

    private final AtomicLong droppedRequeues = new AtomicLong();

    public ReconcileExecutor(int threads) {
        super(
                threads,
                threads,
                0L,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                namedThreads());
    }

    @Override
    public void execute(Runnable command) {
        super.execute(() -> runGuarded(command));
    }

    /** How many requeues of deleted resources were dropped; for tests and diagnosis. */
    public long droppedRequeues() {
        return droppedRequeues.get();
    }

    void runGuarded(Runnable command) {
        try {
            command.run();
        } catch (RuntimeException e) {
            if (isRequeueOfDeletedResource(e)) {
                droppedRequeues.incrementAndGet();
                LOG.debugf("Requeue of a resource deleted meanwhile dropped: %s", e.getMessage());
            } else {
                // The SDK catches what a reconciler throws; what gets here is the SDK's own
                // failure, so the stack trace is worth its lines.
                LOG.error("Reconcile worker failed outside the reconciler", e);
            }
        }
    }

    /**
     * Whether {@code e} is the SDK's timer refusing a requeue: an {@link IllegalStateException}
     * thrown while {@code TimerEventSource.scheduleOnce} ran. Besides the deletion race this also
     * covers a timer already stopped (the operator shutting down), where a requeue is moot too.
     */
    static boolean isRequeueOfDeletedResource(Throwable e) {
        if (!(e instanceof IllegalStateException)) {
            return false;
        }
        for (StackTraceElement frame : e.getStackTrace()) {
            if (TIMER_SOURCE.equals(frame.getClassName())
                    && "scheduleOnce".equals(frame.getMethodName())) {
                return true;
            }
        }
        return false;
    }

    private static ThreadFactory namedThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "reconcile-" + count.incrementAndGet());
            // The SDK's default pool makes non-daemon threads too; it shuts the pool down itself.
            thread.setDaemon(false);
            return thread;
        };
    }
}
