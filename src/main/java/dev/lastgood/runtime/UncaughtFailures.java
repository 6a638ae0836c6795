package dev.lastgood.runtime;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * What happens to an exception that escapes a thread: it is logged through the operator's log,
 * never printed bare on standard error; and one known race of the operator SDK is recognised as
 * harmless.
 *
 * <p>When a reconciliation ends, the SDK arms a one-shot timer for the resource (the requeue that
 * {@code rescheduleAfter} or the max reconciliation interval asks for). It records the timer task
 * in a map and then hands it to a {@link java.util.Timer}. If the resource is deleted in between,
 * the watch thread takes the task out of the map and cancels it, and {@code Timer.schedule} then
 * throws {@code IllegalStateException: Task already scheduled or cancelled}. The exception escapes
 * the reconcile thread (the SDK's pool replaces it), although nothing is wrong: the resource is
 * gone, so its requeue is moot, and the SDK cleans up its state when it handles the delete event
 * that follows. It used to print a framework stack trace in the middle of the log.
 *
 * <p>Why a default handler rather than a pool of our own: the operator SDK extension's hook for
 * that ({@code ConfigurationServiceCustomizer}) swaps the operator's Kubernetes client for a fresh
 * default one (version 7.7.3 does not carry the client over), which would lose the leadership
 * fence, the user agent and the retry settings; {@code LeaderElectionIT} caught it.
 */
@Singleton
public class UncaughtFailures implements Thread.UncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(UncaughtFailures.class);

    /** The class whose {@code scheduleOnce} arms the requeue. */
    static final String TIMER_SOURCE =
            "io.javaoperatorsdk.operator.processing.event.source.timer.TimerEventSource";

    private final AtomicLong droppedRequeues = new AtomicLong();

    void install(@Observes StartupEvent start) {
        Thread.setDefaultUncaughtExceptionHandler(this);
    }

    @Override
    public void uncaughtException(Thread thread, Throwable e) {
        if (isRequeueOfDeletedResource(e)) {
            droppedRequeues.incrementAndGet();
            LOG.debugf("Requeue of a resource deleted meanwhile dropped: %s", e.getMessage());
            return;
        }
        LOG.errorf(e, "Uncaught failure in thread %s", thread.getName());
    }

    /** How many requeues of deleted resources were dropped; for tests and diagnosis. */
    long droppedRequeues() {
        return droppedRequeues.get();
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
}
