package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Counts and recent measurements of one metric for the canary in flight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricStatus {
    @JsonPropertyDescription("Name of the metric in spec.analysis.metrics.")
    public String name;

    @JsonPropertyDescription("Successful measurements of this canary.")
    public int successful;

    @JsonPropertyDescription("Failed measurements (value outside min/max) of this canary.")
    public int failed;

    @JsonPropertyDescription("Inconclusive and error measurements of this canary.")
    public int inconclusive;

    @JsonPropertyDescription(
            "The latest measurements, newest last; only a few are kept however long the"
                    + " canary runs.")
    public List<Measurement> measurements = new ArrayList<>();
}
