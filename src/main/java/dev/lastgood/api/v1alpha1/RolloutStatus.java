package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the operator knows about a Rollout's progress.
 *
 * <p>All progress lives here, not in the operator's memory, so a restarted operator resumes exactly
 * where the previous one stopped: same step, same pause deadline, same counts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStatus {
    @Default("0")
    @JsonPropertyDescription(
            "The metadata.generation this status describes; 0 until the operator has seen the"
                    + " Rollout.")
    public Long observedGeneration;

    @JsonPropertyDescription("Progressing, Paused, Healthy, Degraded, RolledBack or Rejected.")
    public String phase;

    @JsonPropertyDescription("What is happening, for people.")
    public String message;

    @JsonPropertyDescription("Index in spec.steps of the step in progress.")
    public Integer currentStepIndex;

    @JsonPropertyDescription(
            "Percentage of traffic the canary receives now (achieved, not" + " requested).")
    public Integer canaryWeight;

    @JsonPropertyDescription(
            "When the current step started (RFC 3339); pause deadlines count" + " from here.")
    public String stepStartedAt;

    @JsonPropertyDescription("True while the canary is being promoted to the stable track.")
    public Boolean promoting;

    @JsonPropertyDescription(
            "True when the canary is a release recorded good in history and"
                    + " skips the steps, its weight capped by its available replicas.")
    public Boolean fastTrack;

    @JsonPropertyDescription(
            "Value of lastgood.dev/promote when the current pause started; the pause ends when"
                    + " the annotation differs from it.")
    public String promoteToken;

    @JsonPropertyDescription(
            "Value of lastgood.dev/abort when the current canary started; the canary is"
                    + " aborted when the annotation differs from it.")
    public String abortToken;

    @JsonPropertyDescription(
            "The last-good release: what the stable track runs, and what any"
                    + " rollback returns to.")
    public ReleaseSnapshot stable;

    @JsonPropertyDescription(
            "The release under test, when one is in flight or was just rolled" + " back.")
    public ReleaseSnapshot canary;

    @JsonPropertyDescription(
            "Promoted releases, newest last, at most" + " spec.revisionHistoryLimit.")
    public List<ReleaseSnapshot> history = new ArrayList<>();

    @JsonPropertyDescription(
            "Releases aborted or rolled back (namespace/name@version), newest"
                    + " last, bounded; they never take the fast track.")
    public List<String> failedReleases = new ArrayList<>();

    @JsonPropertyDescription("Analysis of the canary in flight.")
    public AnalysisStatus analysis;

    @StatusReplicas
    @JsonPropertyDescription("Pods of both tracks (scale subresource).")
    public Integer replicas;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the Rollout's pods (scale subresource).")
    public String selector;

    @JsonPropertyDescription(
            "Conditions: Ready, Progressing, Degraded, ReleaseVerified, and Reconciling and"
                    + " Stalled for kstatus.")
    public List<Condition> conditions = new ArrayList<>();
}
