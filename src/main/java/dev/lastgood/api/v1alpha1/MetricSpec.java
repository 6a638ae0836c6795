package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One health metric and the range in which the canary counts as healthy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.min) || has(self.max)",
        message = "a metric needs min, max or both, or it can never fail")
@ValidationRule(
        value = "!has(self.min) || !has(self.max) || self.min <= self.max",
        message = "min must not be greater than max")
public class MetricSpec {
    @Required
    @Pattern("^[a-zA-Z_][a-zA-Z0-9_-]{0,62}$")
    @JsonPropertyDescription("Name of the metric, used in status, events and metrics labels.")
    public String name;

    @Required
    @JsonPropertyDescription("The Prometheus query that measures it.")
    public PrometheusQuery prometheus;

    @JsonPropertyDescription("Lowest healthy value (inclusive). A smaller value is Failed.")
    public Double min;

    @JsonPropertyDescription("Highest healthy value (inclusive). A larger value is Failed.")
    public Double max;
}
