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

/** The reconcile pool against the operator SDK's real requeue timer. */
class ReconcileExecutorTest {
    private final ConfigMap resource =
            new ConfigMapBuilder()
                    .withNewMetadata()
                    .withNamespace("ns")
                    .withName("web")
                    .endMetadata()
                    .build();
    private final ResourceID id = ResourceID.fromResource(resource);
    private final CountDownLatch fired = new CountDownLatch(1);
    private TimerEventSource<ConfigMap> timer;
    private ReconcileExecutor pool;

    @BeforeEach
    void start() {
        timer = new TimerEventSource<>();
        timer.setEventHandler(event -> fired.countDown());
        timer.start();
        pool = new ReconcileExecutor(2);
    }

    @AfterEach
    void stop() {
        timer.stop();
        pool.shutdownNow();
    }

    /**
     * A deletion that cancels the requeue between the SDK recording it and arming it: the race
     * makes {@code scheduleOnce} throw, and the pool drops it instead of letting the thread die.
     */
    @Test
    void aRequeueRacingItsResourcesDeletionIsDropped() throws Exception {
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
            for (int i = 0; i < 20_000_000 && pool.droppedRequeues() == 0; i++) {
                pool.runGuarded(() -> timer.scheduleOnce(id, 600_000));
            }
        } finally {
            done.set(true);
            deleter.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(pool.droppedRequeues()).isPositive();
    }

    @Test
    void recognisesOnlyTheTimersRefusal() {
        timer.stop();
        Throwable refused = catchThrown(() -> timer.scheduleOnce(id, 1000));
        assertThat(refused).isInstanceOf(IllegalStateException.class);
        assertThat(ReconcileExecutor.isRequeueOfDeletedResource(refused)).isTrue();

        assertThat(ReconcileExecutor.isRequeueOfDeletedResource(new IllegalStateException("x")))
                .isFalse();
        assertThat(ReconcileExecutor.isRequeueOfDeletedResource(new RuntimeException("x")))
                .isFalse();
    }

    @Test
    void otherFailuresAreLoggedAndTheWorkerLivesOn() throws Exception {
        CountDownLatch ranAfter = new CountDownLatch(1);
        pool.execute(
                () -> {
                    throw new IllegalArgumentException("boom");
                });
        pool.execute(ranAfter::countDown);
        assertThat(ranAfter.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.droppedRequeues()).isZero();
    }

    @Test
    void aRequeueOfALiveResourceFires() throws Exception {
        pool.runGuarded(() -> timer.scheduleOnce(id, 50));
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.droppedRequeues()).isZero();
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
