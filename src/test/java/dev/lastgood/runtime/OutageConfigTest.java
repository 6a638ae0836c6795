package dev.lastgood.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #7: after an API server outage of any length the operator must carry on within seconds. The
 * retry and watch settings in application.properties are what make it so; this checks them against
 * the operator SDK's own retry arithmetic, without a cluster ({@code ApiServerOutageIT} shows the
 * same on one).
 */
class OutageConfigTest {
    private static final Duration RESUME_BOUND = Duration.ofSeconds(10);
    private static final Properties props = new Properties();

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in =
                OutageConfigTest.class.getResourceAsStream("/application.properties")) {
            props.load(in);
        }
    }

    private static String prop(String key) {
        String v = props.getProperty(key);
        assertThat(v).as(key).isNotNull();
        return v.trim();
    }

    private static GenericRetry retryOf(String controller) {
        String p = "quarkus.operator-sdk.controllers." + controller + ".retry.";
        return new GenericRetry()
                .setMaxAttempts(Integer.parseInt(prop(p + "max-attempts")))
                .setInitialInterval(Long.parseLong(prop(p + "interval.initial")))
                .setIntervalMultiplier(Double.parseDouble(prop(p + "interval.multiplier")))
                .setMaxInterval(Long.parseLong(prop(p + "interval.max")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rollout", "buildrelease"})
    void retriesNeverRunOutAndNeverWaitLongerThanFiveSeconds(String controller) {
        RetryExecution retry = retryOf(controller).initExecution();

        // An hour of failures at the shortest interval is far more attempts than this.
        for (int attempt = 0; attempt < 5_000; attempt++) {
            var delay = retry.nextDelay();

            assertThat(delay).as("attempt %d", attempt).isPresent();
            assertThat(delay.get()).as("attempt %d", attempt).isLessThanOrEqualTo(5_000L);
        }
    }

    @Test
    void watchesReconnectWellWithinTheResumeBound() {
        Duration interval =
                Duration.parse(prop("quarkus.kubernetes-client.watch-reconnect-interval"));

        // Fabric8 backs off to interval * 2^5 at most.
        assertThat(interval.multipliedBy(32)).isLessThan(RESUME_BOUND);
    }
}
