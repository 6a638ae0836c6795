package dev.lastgood.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "500ms, 500",
        "0s, 0",
        "30s, 30000",
        "5m, 300000",
        "1h, 3600000",
        "1h30m, 5400000",
        "1m30s, 90000",
        "2m500ms, 120500",
        "1h1m1s1ms, 3661001",
        "90s, 90000",
        "999999999s, 999999999000",
    })
    void parsesTheSchemaLanguage(String text, long millis) {
        Duration parsed = Durations.parse(text, Duration.ofDays(1));

        assertThat(parsed).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void returnsTheFallbackForNull() {
        assertThat(Durations.parse(null, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "30",
                "s",
                "1.5h",
                "-5s",
                "5 s",
                "5S",
                "1d",
                "PT5S",
                "1h 30m",
                "1000000000s",
                "5sec",
                "m5"
            })
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.isEmpty() ? "is not a duration" : text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "1h30m", "0s"})
    void acceptsExactlyWhatTheSchemaPatternAccepts(String text) {
        assertThat(text).matches(Durations.PATTERN);
    }

    @org.junit.jupiter.api.Test
    void refusesAVeryLongTextWithoutOverflowingTheStack() {
        String huge = "1s".repeat(100_000);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Durations.parse(huge, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }
}
