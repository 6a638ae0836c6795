package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Progress of the analysis of the canary in flight; reset for every new canary. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStatus {
    @JsonPropertyDescription("When the last measurement round was taken (RFC 3339).")
    public String lastRoundAt;

    @JsonPropertyDescription("Rounds in which every metric was Successful, for this canary.")
    public int successfulRounds;

    @JsonPropertyDescription("successfulRounds when the current analysis step started.")
    public int gateStartRounds;

    @JsonPropertyDescription("Per-metric counts and recent measurements.")
    public List<MetricStatus> metrics = new ArrayList<>();
}
