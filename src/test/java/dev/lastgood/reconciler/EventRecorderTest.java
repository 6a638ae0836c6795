package dev.lastgood.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventRecorderTest {
    static final String SUBDOMAIN =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    @Test
    void namesAnEventAfterItsObject() {
        assertThat(EventRecorder.eventName("kv", "0123456789abc")).isEqualTo("kv.0123456789abc");
    }

    @Test
    void shortensTheLongestNameAnObjectCanHaveToAValidEventName() {
        String longest = "a".repeat(240) + "." + "b".repeat(12);

        String name = EventRecorder.eventName(longest, "0123456789abc");

        assertThat(name)
                .hasSize(253)
                .isEqualTo("a".repeat(239) + ".0123456789abc")
                .matches(SUBDOMAIN);
    }

    @Test
    void neverLeavesADashOrDotBeforeTheSuffix() {
        String name = EventRecorder.eventName("a".repeat(238) + "-.-x", "0123456789abc");

        assertThat(name).isEqualTo("a".repeat(238) + ".0123456789abc").matches(SUBDOMAIN);
    }
}
