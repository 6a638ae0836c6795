package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference to one BuildRelease, possibly in another namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReleaseRef {
    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Name of the BuildRelease.")
    public String name;

    @Size(max = 63)
    @JsonPropertyDescription(
            "Namespace of the BuildRelease; defaults to the Rollout's own namespace. The"
                    + " namespace must carry the same lastgood.dev/environment label as the"
                    + " Rollout's.")
    public String namespace;

    public ReleaseRef() {}

    public ReleaseRef(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }
}
