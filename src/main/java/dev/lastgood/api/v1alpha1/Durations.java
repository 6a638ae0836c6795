package dev.lastgood.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;

/** Durations written as Kubernetes users write them: 500ms, 30s, 5m, 1h30m. */
public final class Durations {
    /** Schema pattern; the parser below accepts exactly this language. */
    public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h))+$";

    private static final java.util.regex.Pattern PART =
            java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private Durations() {}

    /**
     * Parses a duration, or returns the fallback when the text is null.
     *
     * @throws IllegalArgumentException when the text is not in the schema's language
     */
    public static Duration parse(String text, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        if (!text.matches(PATTERN)) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration such as 500ms, 30s, 5m or 1h30m");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total =
                    total.plus(
                            switch (m.group(2)) {
                                case "ms" -> Duration.ofMillis(n);
                                case "s" -> Duration.ofSeconds(n);
                                case "m" -> Duration.ofMinutes(n);
                                default -> Duration.ofHours(n);
                            });
        }
        return total;
    }
}
