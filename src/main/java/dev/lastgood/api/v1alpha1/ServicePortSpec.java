package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The port that the Services in front of the stable and canary tracks expose. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServicePortSpec {
    @Required
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port the Services N, N-stable and N-canary listen on.")
    public Integer port;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Container port the Services send to; defaults to port.")
    public Integer targetPort;
}
