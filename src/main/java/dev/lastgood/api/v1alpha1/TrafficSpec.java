package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How traffic is split between the stable and canary tracks. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficSpec {
    @JsonPropertyDescription(
            "Split traffic with the weights of a Gateway API HTTPRoute named after the Rollout."
                    + " Without it, traffic follows the ratio of ready replicas behind the"
                    + " Service named after the Rollout.")
    public GatewayApiTraffic gatewayAPI;
}
