package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.NameValue;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import dev.lastgood.guard.EnvironmentGuard;
import dev.lastgood.guard.ReleaseSelection;
import dev.lastgood.guard.Verdict;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;

/** Finds the release a Rollout names, in the informer caches, and runs the guard on it. */
class Releases {
    private final InformerEventSource<BuildRelease, Rollout> releases;
    private final InformerEventSource<Namespace, Rollout> namespaces;

    Releases(
            InformerEventSource<BuildRelease, Rollout> releases,
            InformerEventSource<Namespace, Rollout> namespaces) {
        this.releases = releases;
        this.namespaces = namespaces;
    }

    ReleaseResolution resolve(Rollout rollout) {
        RolloutSpec spec = rollout.getSpec();
        String ns = rollout.getMetadata().getNamespace();
        if (spec.release != null) {
            String releaseNs = spec.release.namespace == null ? ns : spec.release.namespace;
            return releases.get(new ResourceID(spec.release.name, releaseNs))
                    .map(r -> judged(rollout, r))
                    .orElseGet(
                            () ->
                                    missing(
                                            "BuildRelease "
                                                    + releaseNs
                                                    + "/"
                                                    + spec.release.name
                                                    + " does not exist"));
        }
        Optional<BuildRelease> picked =
                ReleaseSelection.pick(
                        new ArrayList<>(releases.list(r -> true).toList()),
                        spec.environment,
                        spec.application,
                        spec.releaseSelector,
                        this::labels,
                        r -> verdict(rollout, r));
        return picked.map(r -> judged(rollout, r))
                .orElseGet(
                        () ->
                                missing(
                                        "no verified BuildRelease of "
                                                + spec.application
                                                + " matches spec.releaseSelector in"
                                                + " namespaces labeled environment "
                                                + spec.environment));
    }

    private ReleaseResolution judged(Rollout rollout, BuildRelease release) {
        return new ReleaseResolution(snapshot(release), verdict(rollout, release));
    }

    private Verdict verdict(Rollout rollout, BuildRelease release) {
        RolloutSpec spec = rollout.getSpec();
        return EnvironmentGuard.judge(
                new EnvironmentGuard.Input(
                        rollout.getMetadata().getNamespace(),
                        rollout.getMetadata().getName(),
                        spec.environment,
                        spec.application,
                        labels(rollout.getMetadata().getNamespace()),
                        release.getMetadata().getNamespace(),
                        release.getMetadata().getName(),
                        release.getSpec(),
                        labels(release.getMetadata().getNamespace())));
    }

    /**
     * Whether the namespace is being deleted, everything in it with it. Its Rollouts' releases
     * disappear first, and reporting each as missing would be a write per Rollout for objects that
     * are going anyway.
     */
    boolean terminating(String namespace) {
        return namespaces
                .get(new ResourceID(namespace))
                .map(
                        n ->
                                n.getMetadata().getDeletionTimestamp() != null
                                        || (n.getStatus() != null
                                                && "Terminating".equals(n.getStatus().getPhase())))
                .orElse(false);
    }

    Map<String, String> labels(String namespace) {
        return namespaces
                .get(new ResourceID(namespace))
                .map(n -> n.getMetadata().getLabels())
                .orElse(null);
    }

    private static ReleaseResolution missing(String message) {
        return new ReleaseResolution(null, new Verdict(Reasons.RELEASE_NOT_FOUND, message));
    }

    static ReleaseSnapshot snapshot(BuildRelease release) {
        ReleaseSnapshot s = new ReleaseSnapshot();
        s.releaseName = release.getMetadata().getName();
        s.releaseNamespace = release.getMetadata().getNamespace();
        s.version = release.getSpec().version;
        s.image = release.getSpec().image;
        s.env = new ArrayList<>();
        for (NameValue e : release.getSpec().env) {
            s.env.add(new NameValue(e.name, e.value));
        }
        return s;
    }
}
