package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An instant PromQL query. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusQuery {
    @Required
    @Pattern("^https?://[^\\s]+$")
    @JsonPropertyDescription("Base URL of the Prometheus HTTP API, such as http://prometheus:9090.")
    public String address;

    @Required
    @Size(min = 1, max = 4096)
    @JsonPropertyDescription(
            "PromQL expression that must return one sample (a scalar or a one-element vector)."
                    + " Placeholders: {{canary.version}}, {{stable.version}}, {{namespace}},"
                    + " {{rollout}}. An empty vector, NaN or infinity is Inconclusive, never a"
                    + " pass.")
    public String query;
}
