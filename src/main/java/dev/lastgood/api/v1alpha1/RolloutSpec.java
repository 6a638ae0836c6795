package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.List;

/** What one application should run in one environment, and how a new release gets there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.release) != has(self.releaseSelector)",
        message = "set exactly one of spec.release or spec.releaseSelector")
public class RolloutSpec {
    public static final int DEFAULT_REVISION_HISTORY_LIMIT = 10;
    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

    @Required
    @Size(min = 1, max = 63)
    @Pattern(BuildReleaseSpec.ENVIRONMENT_PATTERN)
    @JsonPropertyDescription(
            "Environment this Rollout serves. The Rollout's namespace and the namespace of every"
                    + " release it runs must carry the label lastgood.dev/environment with this"
                    + " value, and the release's spec.environment must equal it.")
    public String environment;

    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription(
            "Application this Rollout runs; releases of other applications are" + " rejected.")
    public String application;

    @JsonPropertyDescription(
            "The BuildRelease to run, pinned by name. Set exactly one of release and"
                    + " releaseSelector.")
    public ReleaseRef release;

    @JsonPropertyDescription(
            "Picks the newest verified BuildRelease of spec.application whose labels match,"
                    + " looking only in namespaces labeled with this Rollout's environment (so a"
                    + " staging build is never picked for production, whatever its labels)."
                    + " Newest means the latest metadata.creationTimestamp; ties are broken by"
                    + " the greatest name, then namespace.")
    public LabelSelector releaseSelector;

    @SpecReplicas
    @Min(0)
    @Max(10000)
    @JsonPropertyDescription(
            "Pods of the application when fully promoted; default 1. Exposed through the scale"
                    + " subresource so a HorizontalPodAutoscaler can target the Rollout.")
    public Integer replicas;

    @Required
    @JsonPropertyDescription(
            "Pod template of both tracks. The release's image and env are set on the container"
                    + " named by spec.container.")
    public PodTemplateSpec template;

    @Size(max = 63)
    @JsonPropertyDescription("Container that runs the release; default the first container.")
    public String container;

    @Required
    @JsonPropertyDescription("The port of the Services N, N-stable and N-canary.")
    public ServicePortSpec service;

    @JsonPropertyDescription("How traffic is split; replica ratio when omitted.")
    public TrafficSpec traffic;

    @Size(max = 100)
    @JsonPropertyDescription(
            "Steps a new release goes through. Reaching the end (or a weight of 100 followed by"
                    + " nothing) promotes the release. The first release of a Rollout has"
                    + " nothing to compare with and is deployed directly.")
    public List<Step> steps = new ArrayList<>();

    @JsonPropertyDescription(
            "Metric analysis that runs throughout every canary; a breach rolls back to the"
                    + " last-good release at once.")
    public AnalysisSpec analysis;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Promoted releases kept in status.history; default 10.")
    public Integer revisionHistoryLimit;

    @Min(1)
    @Max(86400)
    @JsonPropertyDescription(
            "Seconds a canary step or a promotion may wait for pods to become available before"
                    + " the release is rolled back; default 600.")
    public Integer progressDeadlineSeconds;
}
