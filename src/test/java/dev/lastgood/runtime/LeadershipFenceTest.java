package dev.lastgood.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeadershipFenceTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final LeadershipFence fence = new LeadershipFence(Duration.ofSeconds(10), clock::get);

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void noWriteBeforeLeadershipWasEverConfirmed() {
        assertThat(fence.mayWrite()).isFalse();
        assertThat(fence.sinceConfirmed()).isNull();
    }

    @Test
    void writesWhileTheLastRenewalIsYoungerThanTheWindow() {
        fence.renewed(fence.now());

        advance(Duration.ofMillis(9_999));

        assertThat(fence.mayWrite()).isTrue();
    }

    @Test
    void regularRenewalsKeepTheFenceOpenIndefinitely() {
        for (int i = 0; i < 100; i++) {
            fence.renewed(fence.now());
            advance(Duration.ofSeconds(1));
            assertThat(fence.mayWrite()).isTrue();
        }
    }

    @Test
    void refusesOnceTheWindowHasPassedSinceTheRenewalWasSent() {
        long sentAt = fence.now();
        advance(Duration.ofSeconds(3)); // the renewal's answer took 3 s to arrive
        fence.renewed(sentAt);

        advance(Duration.ofSeconds(7));

        assertThat(fence.mayWrite()).as("counted from sending, not from the answer").isFalse();
    }

    @Test
    void aFrozenLeaderThatWakesUpMayNotWriteEvenIfItRenewsLater() {
        fence.renewed(fence.now());
        advance(
                Duration.ofSeconds(
                        25)); // SIGSTOP past the Lease: the monotonic clock kept counting

        boolean afterWaking = fence.mayWrite();
        fence.renewed(fence.now());

        assertThat(afterWaking).isFalse();
        assertThat(fence.mayWrite()).as("a refusal shuts the fence for good").isFalse();
        assertThat(fence.sinceConfirmed()).isEqualTo(Duration.ZERO);
    }

    @Test
    void anOlderRenewalAnsweredLateDoesNotMoveTheConfirmationBack() {
        long first = fence.now();
        advance(Duration.ofSeconds(2));
        long second = fence.now();
        fence.renewed(second);
        fence.renewed(first);

        advance(Duration.ofSeconds(9));

        assertThat(fence.mayWrite()).isTrue();
    }

    @Test
    void revokedWhenLeadershipIsLostOrHandedOver() {
        fence.renewed(fence.now());

        fence.revoke();

        assertThat(fence.mayWrite()).isFalse();
    }

    @Test
    void survivesTheMonotonicClockWrappingAround() {
        clock.set(Long.MAX_VALUE - Duration.ofSeconds(1).toNanos());
        fence.renewed(fence.now());

        advance(Duration.ofSeconds(5));

        assertThat(fence.mayWrite()).isTrue();
    }

    @Test
    void theWindowMustBePositive() {
        assertThatThrownBy(() -> new LeadershipFence(Duration.ZERO, clock::get))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theProductionWindowEndsBeforeAStandbyCanTakeTheLease() {
        assertThat(LeaderElection.fenceWindow())
                .isLessThan(LeaderElection.LEASE_DURATION)
                .isGreaterThan(LeaderElection.RETRY_PERIOD.multipliedBy(3));
    }

    @Test
    void aRevokedFenceStaysRevokedThroughLaterRenewals() {
        fence.renewed(fence.now());
        assertThat(fence.everConfirmed()).isTrue();
        assertThat(fence.revoked()).isFalse();

        fence.revoke();
        fence.renewed(fence.now());

        assertThat(fence.revoked()).isTrue();
        assertThat(fence.mayWrite()).isFalse();
    }
}
