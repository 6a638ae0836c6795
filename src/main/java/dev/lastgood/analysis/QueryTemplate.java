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
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(key, "")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
