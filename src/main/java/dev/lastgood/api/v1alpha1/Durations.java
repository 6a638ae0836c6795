package dev.lastgood.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;

/** Durations written as Kubernetes users write them: 500ms, 30s, 5m, 1h30m. */
public final class Durations {
    /** Schema pattern; the parser below accepts exactly this language. */
    public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h))+$";

    /** Longest accepted text; also the schema's maxLength. */
    public static final int MAX_LENGTH = 32;

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
        // Parts are matched one by one, never with the whole PATTERN: a regex over a repeated
        // group recurses once per part, and a long enough text would overflow the stack.
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (text.length() <= MAX_LENGTH && m.find() && m.start() == end) {
            total = total.plus(unit(Long.parseLong(m.group(1)), m.group(2)));
            end = m.end();
        }
        if (text.length() > MAX_LENGTH || end == 0 || end != text.length()) {
            throw new IllegalArgumentException(
                    "'" + abbreviate(text) + "' is not a duration such as 500ms, 30s, 5m or 1h30m");
        }
        return total;
    }

    private static Duration unit(long n, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String abbreviate(String text) {
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
    }
}
