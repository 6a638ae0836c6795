package dev.lastgood.guard;

import dev.lastgood.api.v1alpha1.BuildRelease;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Picks the release a {@code spec.releaseSelector} names: the newest verified BuildRelease of the
 * application, looking only in namespaces of the Rollout's environment.
 *
 * <p>Scoping the search by namespace label first is the point: in the incident this prevents, a
 * listing of production builds also returned staging ones.
 */
public final class ReleaseSelection {
    private ReleaseSelection() {}

    /** Newest first: creation time, then the greater name, then the greater namespace. */
    static final Comparator<BuildRelease> NEWEST_FIRST =
            Comparator.comparing(
                            (BuildRelease r) -> r.getMetadata().getCreationTimestamp(),
                            Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(r -> r.getMetadata().getName())
                    .thenComparing(r -> r.getMetadata().getNamespace())
                    .reversed();

    /**
     * @param candidates every BuildRelease the operator knows of
     * @param namespaceLabels labels of a namespace by name (null when unknown)
     * @param verdictFor the guard's verdict for a candidate
     */
    public static Optional<BuildRelease> pick(
            List<BuildRelease> candidates,
            String environment,
            String application,
            LabelSelector selector,
            Function<String, Map<String, String>> namespaceLabels,
            Function<BuildRelease, Verdict> verdictFor) {
        return candidates.stream()
                .filter(
                        r ->
                                inEnvironment(
                                        namespaceLabels.apply(r.getMetadata().getNamespace()),
                                        environment))
                .filter(r -> r.getSpec() != null && application.equals(r.getSpec().application))
                .filter(r -> matches(selector, r.getMetadata().getLabels()))
                .filter(r -> verdictFor.apply(r).isAllowed())
                .min(NEWEST_FIRST);
    }

    private static boolean inEnvironment(Map<String, String> labels, String environment) {
        return labels != null
                && environment.equals(labels.get(dev.lastgood.api.v1alpha1.Labels.ENVIRONMENT));
    }

    /** Kubernetes label selector semantics; a null selector matches nothing. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(have.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
                if (!matches(req, have)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement req, Map<String, String> labels) {
        String value = labels.get(req.getKey());
        List<String> values = req.getValues() == null ? List.of() : req.getValues();
        return switch (req.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }
}
