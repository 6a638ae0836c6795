package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator concluded about a BuildRelease. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildReleaseStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription(
            "Conditions. Verified is True when the release's environment matches its"
                    + " namespace's lastgood.dev/environment label and its image is pinned by"
                    + " digest; otherwise False with reason EnvironmentMismatch,"
                    + " NamespaceNotLabeled or ImageNotPinned.")
    public List<Condition> conditions = new ArrayList<>();
}
