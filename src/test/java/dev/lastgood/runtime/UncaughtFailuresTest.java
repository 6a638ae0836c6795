package dev.lastgood.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.timer.TimerEventSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The handler against the operator SDK's real requeue timer. */
class UncaughtFailuresTest {
    private final ConfigMap resource =
            new ConfigMapBuilder()
                    .withNewMetadata()
                    .withNamespace("ns")
                    .withName("web")
                    .endMetadata()
                    .build();
    private final ResourceID id = ResourceID.fromResource(resource);
    private final UncaughtFailures handler = new UncaughtFailures();
    private TimerEventSource<ConfigMap> timer;

    @BeforeEach
    void start() {
        timer = new TimerEventSource<>();
        timer.setEventHandler(event -> {});
        timer.start();
    }

    @AfterEach
    void stop() {
        timer.stop();
    }

    /**
     * A deletion that cancels the requeue between the SDK recording it and arming it makes {@code
     * scheduleOnce} throw; the handler recognises what it threw as harmless.
     */
    @Test
    void aRequeueRacingItsResourcesDeletionIsRecognised() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch deleterStarted = new CountDownLatch(1);
        Thread deleter =
                new Thread(
                        () -> {
                            deleterStarted.countDown();
                            while (!done.get()) {
                                timer.onResourceDeleted(resource);
                            }
                        });
        deleter.start();
        deleterStarted.await();
        try {
            // The window is a few instructions wide; it is hit within some thousands of tries on
            // two cores, and the bound only keeps a broken race from looping for ever.
            for (int i = 0; i < 20_000_000 && handler.droppedRequeues() == 0; i++) {
                try {
                    timer.scheduleOnce(id, 600_000);
                } catch (RuntimeException e) {
                    assertThat(e).hasMessageContaining("already scheduled or cancelled");
                    handler.uncaughtException(Thread.currentThread(), e);
                }
            }
        } finally {
            done.set(true);
            deleter.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(handler.droppedRequeues()).isPositive();
    }

    @Test
    void recognisesOnlyTheTimersRefusal() {
        timer.stop();
        Throwable refused = catchThrown(() -> timer.scheduleOnce(id, 1000));
        assertThat(refused).isInstanceOf(IllegalStateException.class);
        assertThat(UncaughtFailures.isRequeueOfDeletedResource(refused)).isTrue();

        assertThat(UncaughtFailures.isRequeueOfDeletedResource(new IllegalStateException("x")))
                .isFalse();
        assertThat(UncaughtFailures.isRequeueOfDeletedResource(new RuntimeException("x")))
                .isFalse();
    }

    @Test
    void anyOtherFailureIsLoggedNotCountedAsARequeue() {
        handler.uncaughtException(Thread.currentThread(), new IllegalArgumentException("boom"));

        assertThat(handler.droppedRequeues()).isZero();
    }

    private static Throwable catchThrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("nothing was thrown");
    }
}
