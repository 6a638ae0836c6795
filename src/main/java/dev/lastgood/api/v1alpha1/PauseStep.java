package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** A pause between weight changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PauseStep {
    @Size(max = Durations.MAX_LENGTH)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription(
            "How long to wait, as 30s, 5m or 1h30m. Without a duration the Rollout waits until"
                    + " the annotation lastgood.dev/promote is set or changed. The deadline is"
                    + " kept in status, so an operator restart neither shortens nor extends it.")
    public String duration;
}
