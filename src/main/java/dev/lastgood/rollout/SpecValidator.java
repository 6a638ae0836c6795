package dev.lastgood.rollout;

import dev.lastgood.analysis.QueryTemplate;
import dev.lastgood.api.v1alpha1.Durations;
import dev.lastgood.api.v1alpha1.MetricSpec;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.Step;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds what the schema cannot: a spec that is well-formed but cannot be carried out.
 *
 * <p>Such a spec is reported in a condition and nothing is changed, instead of failing half-way
 * through a rollout.
 */
public final class SpecValidator {
    private SpecValidator() {}

    /** Problems of the spec, for people; empty when it can be carried out. */
    public static List<String> problems(RolloutSpec spec) {
        List<String> out = new ArrayList<>();
        if ((spec.release == null) == (spec.releaseSelector == null)) {
            out.add("set exactly one of spec.release or spec.releaseSelector");
        }
        checkTemplate(spec, out);
        checkSteps(spec, out);
        checkAnalysis(spec, out);
        return out;
    }

    private static void checkTemplate(RolloutSpec spec, List<String> out) {
        List<Container> containers =
                spec.template == null || spec.template.getSpec() == null
                        ? List.of()
                        : spec.template.getSpec().getContainers();
        if (containers == null || containers.isEmpty()) {
            out.add("spec.template.spec.containers must name at least one container");
            return;
        }
        containers.forEach(c -> checkQuantities(c, out));
        if (spec.container != null
                && containers.stream().noneMatch(c -> spec.container.equals(c.getName()))) {
            out.add("spec.container " + spec.container + " is not a container of spec.template");
        }
    }

    /**
     * The CRD schema accepts any string as a quantity; the API server would refuse the Deployment
     * with a server error that looks like an outage, so catch it here with a clear message.
     */
    private static void checkQuantities(Container c, List<String> out) {
        if (c.getResources() == null) {
            return;
        }
        Map<String, Map<String, Quantity>> groups = new java.util.LinkedHashMap<>();
        groups.put("limits", c.getResources().getLimits());
        groups.put("requests", c.getResources().getRequests());
        groups.forEach(
                (group, values) -> {
                    if (values == null) {
                        return;
                    }
                    values.forEach(
                            (name, q) -> {
                                if (q == null || !QUANTITY.matcher(q.toString()).matches()) {
                                    out.add(
                                            String.format(
                                                    "container %s resources.%s.%s '%s' is not a"
                                                            + " quantity such as 500m or 1Gi",
                                                    c.getName(), group, name, q));
                                }
                            });
                });
    }

    /** The API server's quantity grammar. */
    private static final java.util.regex.Pattern QUANTITY =
            java.util.regex.Pattern.compile(
                    "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$");

    private static void checkSteps(RolloutSpec spec, List<String> out) {
        int last = 0;
        for (int i = 0; i < spec.steps.size(); i++) {
            Step step = spec.steps.get(i);
            if (step.setWeight != null) {
                if (step.setWeight < last) {
                    out.add(
                            String.format(
                                    "step %d lowers the weight from %d to %d; weights must not"
                                            + " decrease",
                                    i, last, step.setWeight));
                }
                last = step.setWeight;
            } else if (step.pause != null) {
                checkDuration("step " + i + " pause.duration", step.pause.duration, out);
            } else if (step.analysis != null) {
                if (spec.analysis == null) {
                    out.add("step " + i + " is an analysis gate but spec.analysis is not set");
                }
            } else {
                out.add("step " + i + " sets none of setWeight, pause or analysis");
            }
        }
    }

    private static void checkAnalysis(RolloutSpec spec, List<String> out) {
        if (spec.analysis == null) {
            return;
        }
        checkDuration("spec.analysis.interval", spec.analysis.interval, out);
        if (intervalBelowOneSecond(spec.analysis.interval)) {
            out.add(
                    "spec.analysis.interval must be at least 1s: every round queries Prometheus"
                            + " and writes the status");
        }
        if (spec.analysis.metrics.isEmpty()) {
            out.add("spec.analysis.metrics is empty");
        }
        for (MetricSpec m : spec.analysis.metrics) {
            if (m.min == null && m.max == null) {
                out.add("metric " + m.name + " has neither min nor max, so it can never fail");
            }
            if (m.min != null && m.max != null && m.min > m.max) {
                out.add("metric " + m.name + " has min " + m.min + " greater than max " + m.max);
            }
            try {
                QueryTemplate.render(m.prometheus == null ? "" : m.prometheus.query, Map.of());
            } catch (IllegalArgumentException e) {
                out.add("metric " + m.name + ": " + e.getMessage());
            }
        }
    }

    private static boolean intervalBelowOneSecond(String text) {
        try {
            Duration d = Durations.parse(text, Duration.ofSeconds(1));
            return !d.isZero() && d.compareTo(Duration.ofSeconds(1)) < 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void checkDuration(String field, String text, List<String> out) {
        try {
            if (Durations.parse(text, Duration.ofSeconds(1)).isZero()) {
                out.add(field + " must be longer than zero");
            }
        } catch (IllegalArgumentException e) {
            out.add(field + ": " + e.getMessage());
        }
    }
}
