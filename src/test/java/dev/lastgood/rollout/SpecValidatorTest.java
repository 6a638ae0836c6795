package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.MetricSpec;
import dev.lastgood.api.v1alpha1.PrometheusQuery;
import dev.lastgood.api.v1alpha1.ReleaseRef;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.api.v1alpha1.Step;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

    @Test
    void acceptsAFullSpec() {
        RolloutSpec spec = valid();
        spec.steps =
                List.of(
                        Step.weight(10),
                        Step.pause("30s"),
                        Step.pause(null),
                        Step.analysis(3),
                        Step.weight(10),
                        Step.weight(100));
        spec.analysis = analysis("{{canary.version}}", "{{ stable.version }}");
        spec.container = "app";

        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    @Test
    void refusesDecreasingWeights() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.weight(50), Step.pause("1m"), Step.weight(20));

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("step 2", "from 50 to 20");
    }

    @Test
    void refusesAnAnalysisStepWithoutSpecAnalysis() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.weight(10), Step.analysis(2));

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("step 1", "spec.analysis");
    }

    @Test
    void refusesAStepThatDoesNothing() {
        RolloutSpec spec = valid();
        spec.steps = List.of(new Step());

        assertThat(SpecValidator.problems(spec)).singleElement().asString().contains("step 0");
    }

    @Test
    void refusesAnUnknownQueryPlaceholder() {
        RolloutSpec spec = valid();
        spec.analysis = analysis("{{canary.image}}");

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("metric m0", "{{canary.image}}");
    }

    @Test
    void refusesAMisspelledQueryPlaceholder() {
        RolloutSpec spec = valid();
        spec.analysis = analysis("{{canary_version}}");

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("canary_version");
    }

    @Test
    void refusesABadPauseDuration() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.pause("5 minutes"));

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("step 0 pause.duration", "5 minutes");
    }

    @Test
    void refusesAZeroPause() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.pause("0s"));

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("longer than zero");
    }

    @Test
    void refusesABadAnalysisInterval() {
        RolloutSpec spec = valid();
        spec.analysis = analysis("up");
        spec.analysis.interval = "10";

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("spec.analysis.interval");
    }

    @Test
    void refusesAMetricWithoutBoundsOrWithCrossedBounds() {
        RolloutSpec spec = valid();
        spec.analysis = analysis("up", "up");
        spec.analysis.metrics.get(0).min = null;
        spec.analysis.metrics.get(0).max = null;
        spec.analysis.metrics.get(1).min = 2.0;
        spec.analysis.metrics.get(1).max = 1.0;

        assertThat(SpecValidator.problems(spec))
                .satisfiesExactly(
                        p -> assertThat(p).contains("m0", "neither min nor max"),
                        p -> assertThat(p).contains("m1", "greater than max"));
    }

    @Test
    void refusesAnAnalysisWithoutMetrics() {
        RolloutSpec spec = valid();
        spec.analysis = new AnalysisSpec();

        assertThat(SpecValidator.problems(spec)).singleElement().asString().contains("empty");
    }

    @Test
    void refusesATemplateWithoutContainers() {
        RolloutSpec spec = valid();
        spec.template = new PodTemplateSpecBuilder().withNewSpec().endSpec().build();

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("at least one container");
    }

    @Test
    void refusesAMissingTemplate() {
        RolloutSpec spec = valid();
        spec.template = null;

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("at least one container");
    }

    @Test
    void refusesAContainerNameThatIsNotInTheTemplate() {
        RolloutSpec spec = valid();
        spec.container = "sidecar";

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("spec.container sidecar");
    }

    @Test
    void refusesAResourceQuantityTheApiServerCannotParse() {
        RolloutSpec spec = valid();
        spec.template
                .getSpec()
                .getContainers()
                .get(0)
                .setResources(
                        new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                                .addToLimits(
                                        "cpu", new io.fabric8.kubernetes.api.model.Quantity("lots"))
                                .addToRequests(
                                        "memory",
                                        new io.fabric8.kubernetes.api.model.Quantity("512Mi"))
                                .build());

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("resources.limits.cpu 'lots' is not a quantity");
    }

    @Test
    void refusesBothOrNeitherReleaseAndSelector() {
        RolloutSpec both = valid();
        both.releaseSelector = new LabelSelector();
        RolloutSpec neither = valid();
        neither.release = null;

        assertThat(SpecValidator.problems(both)).singleElement().asString().contains("exactly one");
        assertThat(SpecValidator.problems(neither))
                .singleElement()
                .asString()
                .contains("exactly one");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        RolloutSpec spec = valid();
        spec.container = "sidecar";
        spec.steps = List.of(Step.weight(50), Step.weight(10), Step.analysis(1));

        assertThat(SpecValidator.problems(spec)).hasSize(3);
    }

    @Test
    void refusesSelectorRequirementsKubernetesWouldRefuse() {
        RolloutSpec spec = valid();
        spec.release = null;
        spec.releaseSelector =
                new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("app")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withOperator("Exists")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withKey("app")
                        .withOperator("Equals")
                        .withValues("shop")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withKey("app")
                        .withOperator("In")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withKey("app")
                        .withOperator("DoesNotExist")
                        .withValues("shop")
                        .endMatchExpression()
                        .build();

        assertThat(SpecValidator.problems(spec))
                .satisfiesExactly(
                        p -> assertThat(p).contains("matchExpressions[0] has no operator"),
                        p -> assertThat(p).contains("matchExpressions[1] has no key"),
                        p -> assertThat(p).contains("matchExpressions[2] has operator Equals"),
                        p -> assertThat(p).contains("matchExpressions[3] uses operator In without"),
                        p ->
                                assertThat(p)
                                        .contains(
                                                "matchExpressions[4] uses operator DoesNotExist"));
    }

    @Test
    void acceptsWellFormedSelectorRequirements() {
        RolloutSpec spec = valid();
        spec.release = null;
        spec.releaseSelector =
                new LabelSelectorBuilder()
                        .addToMatchLabels("app", "shop")
                        .addNewMatchExpression()
                        .withKey("tier")
                        .withOperator("NotIn")
                        .withValues("canary")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withKey("verified")
                        .withOperator("Exists")
                        .endMatchExpression()
                        .build();

        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    @Test
    void refusesAnalysisWhenNoStepSendsTrafficToTheCanary() {
        RolloutSpec noSteps = valid();
        noSteps.steps = List.of();
        noSteps.analysis = analysis("up");
        RolloutSpec zeroWeight = valid();
        zeroWeight.steps = List.of(Step.pause("1m"), Step.weight(0));
        zeroWeight.analysis = analysis("up");
        RolloutSpec noAnalysis = valid();
        noAnalysis.steps = List.of();

        assertThat(SpecValidator.problems(noSteps))
                .singleElement()
                .asString()
                .contains("no step sends traffic to the canary");
        assertThat(SpecValidator.problems(zeroWeight))
                .singleElement()
                .asString()
                .contains("no step sends traffic to the canary");
        assertThat(SpecValidator.problems(noAnalysis)).isEmpty();
    }

    @Test
    void refusesAnAnalysisGateThatCannotPassWithinTheProgressDeadline() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.weight(10), Step.analysis(12), Step.weight(100));
        spec.analysis = analysis("up");
        spec.analysis.interval = "1m";

        assertThat(SpecValidator.problems(spec))
                .singleElement()
                .asString()
                .contains("step 1 needs 12 analysis rounds 60s apart", "(600s)");
    }

    @Test
    void acceptsAnAnalysisGateThatJustFitsTheProgressDeadline() {
        RolloutSpec spec = valid();
        spec.steps = List.of(Step.weight(10), Step.analysis(3), Step.weight(100));
        spec.analysis = analysis("up");
        spec.analysis.interval = "30s";
        spec.progressDeadlineSeconds = 60;
        spec.steps.get(1).analysis.rounds = null;

        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    /** A spec that can be carried out: each test breaks one thing. */
    static RolloutSpec valid() {
        RolloutSpec spec = new RolloutSpec();
        spec.environment = "production";
        spec.application = "shop";
        spec.release = new ReleaseRef("shop-v1", null);
        spec.template = template();
        spec.steps = List.of(Step.weight(10), Step.weight(100));
        return spec;
    }

    static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .endContainer()
                .addNewContainer()
                .withName("proxy")
                .endContainer()
                .endSpec()
                .build();
    }

    static AnalysisSpec analysis(String... queries) {
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.interval = "10s";
        for (int i = 0; i < queries.length; i++) {
            MetricSpec metric = new MetricSpec();
            metric.name = "m" + i;
            metric.max = 0.05;
            metric.prometheus = new PrometheusQuery();
            metric.prometheus.address = "http://prometheus:9090";
            metric.prometheus.query = "rate(errors{v=\"" + queries[i] + "\"}[1m])";
            analysis.metrics.add(metric);
        }
        return analysis;
    }
}
