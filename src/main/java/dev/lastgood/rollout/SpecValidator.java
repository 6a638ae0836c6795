package dev.lastgood.rollout;

import dev.lastgood.analysis.QueryTemplate;
import dev.lastgood.api.v1alpha1.AnalysisStep;
import dev.lastgood.api.v1alpha1.Durations;
import dev.lastgood.api.v1alpha1.MetricSpec;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.Step;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
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
        checkSelector(spec, out);
        checkTemplate(spec, out);
        checkSteps(spec, out);
        checkAnalysis(spec, out);
        checkAnalysisSeesTraffic(spec, out);
        return out;
    }

    /**
     * The CRD takes the label selector type from the Kubernetes model without the checks the API
     * server runs on its own selectors, so a requirement without a key or with an unknown operator
     * gets this far; it would match nothing and read as "no release found".
     */
    private static void checkSelector(RolloutSpec spec, List<String> out) {
        if (spec.releaseSelector == null || spec.releaseSelector.getMatchExpressions() == null) {
            return;
        }
        List<LabelSelectorRequirement> requirements = spec.releaseSelector.getMatchExpressions();
        for (int i = 0; i < requirements.size(); i++) {
            String problem = requirementProblem(requirements.get(i));
            if (problem != null) {
                out.add("spec.releaseSelector.matchExpressions[" + i + "] " + problem);
            }
        }
    }

    /** Kubernetes' rules for one label selector requirement; null when it keeps them. */
    private static String requirementProblem(LabelSelectorRequirement r) {
        String op = r.getOperator();
        boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
        if (r.getKey() == null || r.getKey().isBlank()) {
            return "has no key";
        }
        if (op == null) {
            return "has no operator; use In, NotIn, Exists or DoesNotExist";
        }
        return switch (op) {
            case "In", "NotIn" -> hasValues ? null : "uses operator " + op + " without values";
            case "Exists", "DoesNotExist" ->
                    hasValues ? "uses operator " + op + " with values; it takes none" : null;
            default ->
                    "has operator "
                            + op
                            + ", which is not one of In, NotIn, Exists or DoesNotExist";
        };
    }

    /**
     * Analysis measures a canary only once it has traffic, and a canary never measured successfully
     * is not promoted: without a step that gives the canary traffic, every new release would wait
     * out the progress deadline and roll back.
     */
    private static void checkAnalysisSeesTraffic(RolloutSpec spec, List<String> out) {
        if (spec.analysis != null
                && spec.steps.stream().noneMatch(s -> s.setWeight != null && s.setWeight > 0)) {
            out.add(
                    "spec.analysis is set but no step sends traffic to the canary (a setWeight"
                            + " above 0), so analysis could never measure a new release and"
                            + " every one would roll back");
        }
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
                } else {
                    checkGateFitsDeadline(spec, i, step, out);
                }
            } else {
                out.add("step " + i + " sets none of setWeight, pause or analysis");
            }
        }
    }

    /**
     * A gate that is not passed within spec.progressDeadlineSeconds rolls the release back. The
     * first round may come at once and each further one an interval later, so a gate whose rounds
     * cannot fit in the deadline rolls back every release it sees.
     */
    private static void checkGateFitsDeadline(
            RolloutSpec spec, int index, Step step, List<String> out) {
        Duration interval;
        try {
            interval = AnalysisSchedule.interval(spec.analysis);
        } catch (IllegalArgumentException e) {
            return; // reported with spec.analysis.interval
        }
        int rounds =
                step.analysis.rounds == null ? AnalysisStep.DEFAULT_ROUNDS : step.analysis.rounds;
        long deadline =
                spec.progressDeadlineSeconds == null
                        ? RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS
                        : spec.progressDeadlineSeconds;
        if (interval.multipliedBy(rounds - 1L).compareTo(Duration.ofSeconds(deadline)) > 0) {
            out.add(
                    String.format(
                            "step %d needs %d analysis rounds %ds apart, more than"
                                    + " spec.progressDeadlineSeconds (%ds) allows; the gate could"
                                    + " never pass",
                            index, rounds, interval.toSeconds(), deadline));
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
