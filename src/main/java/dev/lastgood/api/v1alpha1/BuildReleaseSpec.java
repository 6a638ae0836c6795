package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What one build of one application is, and the single environment it was made for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildReleaseSpec {
    /** Digest-pinned image reference; a tag can be moved after verification, a digest cannot. */
    public static final String IMAGE_PATTERN = "^[^@\\s]+@sha256:[a-f0-9]{64}$";

    /** Same shape as a Kubernetes label value, because it is compared with one. */
    public static final String ENVIRONMENT_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription(
            "Application this build belongs to. A Rollout only runs releases of its own"
                    + " spec.application.")
    public String application;

    @Required
    @Size(min = 1, max = 128)
    @Pattern("^[A-Za-z0-9][A-Za-z0-9._+-]*$")
    @JsonPropertyDescription(
            "Version of the build as people name it (for example v2.4.1 or 2.0.0+build.7):"
                    + " letters, digits, '.', '_', '+' and '-'. Shown in status and metrics, and"
                    + " substituted into analysis queries as {{canary.version}}.")
    public String version;

    @Required
    @Size(min = 1, max = 63)
    @Pattern(ENVIRONMENT_PATTERN)
    @JsonPropertyDescription(
            "Environment this build is meant for (for example staging or production). It must"
                    + " equal the lastgood.dev/environment label of the BuildRelease's namespace"
                    + " and the spec.environment of any Rollout that runs it; otherwise the"
                    + " release is rejected and traffic stays where it is.")
    public String environment;

    @Required
    @Pattern(IMAGE_PATTERN)
    @JsonPropertyDescription(
            "Container image pinned by digest: <repository>@sha256:<64 hex digits>. Tags are"
                    + " refused because a tag can point at a different build later.")
    public String image;

    @Size(max = 64)
    @JsonPropertyDescription(
            "Environment variables set on the release's container, in addition to those of"
                    + " the Rollout's pod template. At most 64: every promoted release's env is"
                    + " kept in the Rollout's status history.")
    public List<NameValue> env = new ArrayList<>();

    @Size(max = 1024)
    @JsonPropertyDescription("Free text for people: what changed in this build.")
    public String description;
}
