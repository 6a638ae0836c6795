package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One measurement of one metric. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Measurement {
    @JsonPropertyDescription("When it was taken (RFC 3339).")
    public String at;

    @JsonPropertyDescription("Successful, Failed, Inconclusive or Error.")
    public String result;

    @JsonPropertyDescription("The measured value, as Prometheus returned it, when there was one.")
    public String value;

    @JsonPropertyDescription("Why it is not Successful, for people.")
    public String message;
}
