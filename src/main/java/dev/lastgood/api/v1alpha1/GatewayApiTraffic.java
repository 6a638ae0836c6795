package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.List;

/** Routing through a Gateway API HTTPRoute that the operator creates and owns. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayApiTraffic {
    @Required
    @Size(min = 1, max = 32)
    @JsonPropertyDescription("Gateways the HTTPRoute attaches to.")
    public List<ParentReference> parentRefs = new ArrayList<>();

    @JsonPropertyDescription("Hostnames the HTTPRoute answers for.")
    public List<String> hostnames = new ArrayList<>();

    @JsonPropertyDescription(
            "Request matches of the route's single rule; all requests of the hostnames when"
                    + " empty.")
    public List<HTTPRouteMatch> matches = new ArrayList<>();
}
