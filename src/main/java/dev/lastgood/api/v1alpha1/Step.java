package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** One step of the canary strategy: exactly one of setWeight, pause or analysis. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value =
                "[has(self.setWeight), has(self.pause), has(self.analysis)].filter(x, x).size() =="
                        + " 1",
        message = "each step sets exactly one of setWeight, pause or analysis")
public class Step {
    @Min(0)
    @Max(100)
    @JsonPropertyDescription(
            "Percentage of traffic for the canary. The weight only moves once the canary has"
                    + " enough available replicas to carry it.")
    public Integer setWeight;

    @JsonPropertyDescription("Wait for a duration, or until lastgood.dev/promote is set.")
    public PauseStep pause;

    @JsonPropertyDescription("Wait for successful analysis rounds of spec.analysis.")
    public AnalysisStep analysis;

    public static Step weight(int weight) {
        Step step = new Step();
        step.setWeight = weight;
        return step;
    }

    public static Step pause(String duration) {
        Step step = new Step();
        step.pause = new PauseStep();
        step.pause.duration = duration;
        return step;
    }

    public static Step analysis(int rounds) {
        Step step = new Step();
        step.analysis = new AnalysisStep();
        step.analysis.rounds = rounds;
        return step;
    }
}
