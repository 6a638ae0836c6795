package dev.lastgood.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether this replica may still write, judged by its own monotonic clock alone.
 *
 * <p>Why (#7): a leader frozen past its Lease (SIGSTOP, a long GC pause, a suspended VM) wakes up
 * with reconciliations half done and timers overdue. Its threads run on at once, and they can write
 * before the leader elector has noticed that another replica holds the Lease. Asking the API server
 * first does not help, since the freeze can fall between the question and the write. What the
 * replica can know for sure is when it last renewed the Lease successfully: no other replica takes
 * the Lease over before {@code leaseDuration} after that renewal. So a write is allowed only while
 * the last confirmed renewal is younger than {@code window} (the Lease duration minus a margin for
 * request latency and clock drift), measured with {@link System#nanoTime()}, which keeps counting
 * while the process is frozen.
 *
 * <p>Once a write has been refused the fence stays shut: the replica is on its way out, and letting
 * a late renewal reopen it would only make the rule harder to reason about.
 *
 * <p>Pure logic with an injected clock, so that it is tested without a cluster or real time.
 */
public final class LeadershipFence {
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final AtomicLong confirmedAt = new AtomicLong();
    private final AtomicBoolean everConfirmed = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();

    /**
     * @param window how long after a renewal was sent this replica still counts as the leader
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} in production)
     */
    public LeadershipFence(Duration window, LongSupplier nanoClock) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the fence window must be positive: " + window);
        }
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The clock reading to pass to {@link #renewed} when the renewal succeeds. */
    public long now() {
        return nanoClock.getAsLong();
    }

    /**
     * A write of the Lease naming this replica as holder succeeded. {@code sentAt} is the clock
     * reading taken before it was sent: the other replicas count the Lease's duration from a time
     * no earlier than that, so counting from it is on the safe side.
     */
    public void renewed(long sentAt) {
        confirmedAt.accumulateAndGet(
                sentAt, (old, fresh) -> everConfirmed.get() && old - fresh > 0 ? old : fresh);
        everConfirmed.set(true);
    }

    /** This replica stops leading (it released the Lease or saw another holder): no more writes. */
    public void revoke() {
        shut.set(true);
    }

    /**
     * Whether this replica is done leading for good (it released the Lease, saw another holder, or
     * had a write refused): it must not claim the Lease again either.
     */
    public boolean revoked() {
        return shut.get();
    }

    /**
     * Whether a write may go out now. False when leadership was never confirmed, is older than the
     * window, or was revoked; a false answer shuts the fence for good.
     */
    public boolean mayWrite() {
        if (shut.get()) {
            return false;
        }
        boolean fresh =
                everConfirmed.get() && nanoClock.getAsLong() - confirmedAt.get() < windowNanos;
        if (!fresh) {
            shut.set(true);
        }
        return fresh;
    }

    /** How long ago leadership was last confirmed, for the message that explains a refusal. */
    public Duration sinceConfirmed() {
        return everConfirmed.get()
                ? Duration.ofNanos(nanoClock.getAsLong() - confirmedAt.get())
                : null;
    }

    /** Whether this replica ever held the Lease. */
    public boolean everConfirmed() {
        return everConfirmed.get();
    }

    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }
}
