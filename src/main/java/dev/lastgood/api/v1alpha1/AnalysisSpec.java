package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Metric analysis that runs for as long as a canary is in flight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {
    @Size(max = Durations.MAX_LENGTH)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Time between measurement rounds, as 10s or 1m; default 30s.")
    public String interval;

    @Min(0)
    @Max(1000)
    @JsonPropertyDescription(
            "Failed measurements of one metric tolerated before rolling back; default 0 (the"
                    + " first failed measurement rolls back).")
    public Integer failureLimit;

    @Min(0)
    @Max(1000)
    @JsonPropertyDescription(
            "Inconclusive or error measurements of one metric (no data, NaN, Prometheus"
                    + " unreachable) tolerated before rolling back; default 2.")
    public Integer inconclusiveLimit;

    @Required
    @Size(min = 1, max = 10)
    @JsonPropertyDescription("The metrics measured in each round.")
    public List<MetricSpec> metrics = new ArrayList<>();
}
