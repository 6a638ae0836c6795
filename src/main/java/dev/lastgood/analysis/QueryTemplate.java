package dev.lastgood.analysis;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills the placeholders of an analysis query. */
public final class QueryTemplate {
    /** Anything in double braces: PromQL never has them, so each one is meant as a placeholder. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    public static final java.util.Set<String> KNOWN =
            java.util.Set.of("canary.version", "stable.version", "namespace", "rollout");

    private QueryTemplate() {}

    /**
     * Escapes a value for use inside a PromQL string literal. Versions come from release authors,
     * and a quote in one must not be able to rewrite the query that judges that release.
     */
    static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\', '"' -> b.append('\\').append(c);
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Replaces each placeholder with its value.
     *
     * @throws IllegalArgumentException for a placeholder that is not one of {@link #KNOWN}
     */
    public static String render(String query, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(query);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown placeholder {{" + key + "}}");
            }
            m.appendReplacement(
                    out, Matcher.quoteReplacement(escape(values.getOrDefault(key, ""))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
