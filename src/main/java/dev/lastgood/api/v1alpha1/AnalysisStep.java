package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** A gate that waits for analysis rounds to succeed before the next step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStep {
    public static final int DEFAULT_ROUNDS = 3;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription(
            "Number of complete analysis rounds (every metric of spec.analysis measured"
                    + " Successful) required after this step starts; default 3. Failed,"
                    + " inconclusive and error measurements count against the limits of"
                    + " spec.analysis and never toward this number.")
    public Integer rounds;
}
