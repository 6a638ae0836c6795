package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.BuildReleaseStatus;
import dev.lastgood.guard.EnvironmentGuard;
import dev.lastgood.guard.Verdict;
import dev.lastgood.rollout.StatusConditions;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Marks each BuildRelease Verified or not, so a wrong release is visible before anyone uses it. */
@ControllerConfiguration(name = "buildrelease", fieldManager = RolloutReconciler.FIELD_MANAGER)
public class BuildReleaseReconciler implements Reconciler<BuildRelease> {
    static final String VERIFIED = "Verified";
    private static final Logger LOG = LoggerFactory.getLogger(BuildReleaseReconciler.class);

    private InformerEventSource<Namespace, BuildRelease> namespaces;

    @Override
    public UpdateControl<BuildRelease> reconcile(
            BuildRelease release, Context<BuildRelease> context) {
        String ns = release.getMetadata().getNamespace();
        Map<String, String> labels =
                namespaces
                        .get(new ResourceID(ns))
                        .map(n -> n.getMetadata().getLabels())
                        .orElse(null);
        Verdict verdict =
                EnvironmentGuard.judgeRelease(
                        ns, release.getMetadata().getName(), release.getSpec(), labels);

        BuildReleaseStatus status =
                release.getStatus() == null
                        ? new BuildReleaseStatus()
                        : Serialization.clone(release.getStatus());
        status.observedGeneration = release.getMetadata().getGeneration();
        StatusConditions.set(
                status.conditions,
                VERIFIED,
                verdict.isAllowed(),
                verdict.reason(),
                verdict.message(),
                release.getMetadata().getGeneration(),
                Instant.now());
        if (!Objects.equals(
                Serialization.asJson(release.getStatus()), Serialization.asJson(status))) {
            LOG.info("{}: {}", verdict.reason(), verdict.message());
            BuildRelease patch = new BuildRelease();
            patch.setMetadata(
                    new ObjectMetaBuilder()
                            .withName(release.getMetadata().getName())
                            .withNamespace(ns)
                            .build());
            patch.setStatus(status);
            context.resourceOperations().serverSideApplyPrimaryStatus(patch);
        }
        return UpdateControl.noUpdate();
    }

    @Override
    public List<EventSource<?, BuildRelease>> prepareEventSources(
            EventSourceContext<BuildRelease> context) {
        namespaces =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(Namespace.class, BuildRelease.class)
                                // Cluster-scoped: one informer, whatever namespaces the
                                // controller watches. Per-namespace informers would never
                                // be asked (a Namespace's ResourceID has no namespace), so
                                // every namespace would read as unlabeled.
                                .withWatchAllNamespaces()
                                .withFollowControllerNamespacesChanges(false)
                                .withSecondaryToPrimaryMapper(
                                        ns ->
                                                context.getPrimaryCache()
                                                        .list(
                                                                r ->
                                                                        ns.getMetadata()
                                                                                .getName()
                                                                                .equals(
                                                                                        r.getMetadata()
                                                                                                .getNamespace()))
                                                        .map(ResourceID::fromResource)
                                                        .collect(Collectors.toSet()))
                                .build(),
                        context);
        return List.of(namespaces);
    }
}
