package dev.lastgood.reconciler;

import dev.lastgood.analysis.Analyst;
import dev.lastgood.analysis.Outcome;
import dev.lastgood.analysis.PrometheusClient;
import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.metrics.OperatorMetrics;
import dev.lastgood.rollout.AnalysisSchedule;
import dev.lastgood.rollout.Desired;
import dev.lastgood.rollout.Observation;
import dev.lastgood.rollout.Plan;
import dev.lastgood.rollout.Planner;
import dev.lastgood.rollout.SpecValidator;
import dev.lastgood.rollout.TrackState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Moves a Rollout toward the release its spec names: observe, decide, act, record.
 *
 * <p>Deciding is {@link Planner}'s job and has no I/O; this class only gathers what the planner
 * needs from the informer caches and Prometheus, applies the owned objects the plan asks for, and
 * writes the status.
 */
@ControllerConfiguration(
        name = RolloutReconciler.NAME,
        fieldManager = RolloutReconciler.FIELD_MANAGER,
        // Promote and abort are annotations, which do not change the generation.
        generationAwareEventProcessing = false)
public class RolloutReconciler implements Reconciler<Rollout> {
    public static final String NAME = "rollout";
    public static final String FIELD_MANAGER = "lastgood";
    static final String MANAGED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;

    private final OperatorMetrics metrics;
    private final Analyst analyst;
    private final StatusRecorder recorder;
    private final boolean gatewayApi;
    private Releases releases;

    public RolloutReconciler(KubernetesClient client, OperatorMetrics metrics) {
        this.metrics = metrics;
        this.analyst = new Analyst(new PrometheusClient(Duration.ofSeconds(5)));
        this.recorder = new StatusRecorder(new EventRecorder(client), metrics);
        this.gatewayApi = GatewayApi.installed(client);
    }

    @Override
    public UpdateControl<Rollout> reconcile(Rollout rollout, Context<Rollout> context) {
        var timer = metrics.startReconcile();
        try {
            List<String> problems = problems(rollout);
            if (!problems.isEmpty()) {
                return recorder.invalid(rollout, problems, context);
            }
            ReleaseResolution release = releases.resolve(rollout);
            if (!release.verdict().isAllowed()) {
                return recorder.rejected(rollout, release.verdict(), context);
            }

            Observation seen = observe(rollout, release.snapshot(), context);
            Plan plan = Planner.plan(seen);

            apply(rollout, plan.desired(), context);
            return recorder.record(rollout, plan, context);
        } finally {
            timer.observeDuration();
        }
    }

    private List<String> problems(Rollout rollout) {
        List<String> problems = new ArrayList<>(SpecValidator.problems(rollout.getSpec()));
        boolean routed =
                rollout.getSpec().traffic != null && rollout.getSpec().traffic.gatewayAPI != null;
        if (routed && !gatewayApi) {
            problems.add(
                    "spec.traffic.gatewayAPI is set but the Gateway API HTTPRoute CRD is not"
                            + " installed; install it and restart the operator");
        }
        return problems;
    }

    private Observation observe(
            Rollout rollout, ReleaseSnapshot desired, Context<Rollout> context) {
        Instant now = Instant.now();
        Map<String, String> annotations =
                rollout.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : rollout.getMetadata().getAnnotations();
        return new Observation(
                rollout.getMetadata().getGeneration(),
                rollout.getSpec(),
                rollout.getStatus(),
                desired,
                track(rollout, OwnedObjects.STABLE, context),
                track(rollout, OwnedObjects.CANARY, context),
                routeCanaryWeight(rollout, context),
                annotations.get(Labels.PROMOTE),
                annotations.get(Labels.ABORT),
                measureIfDue(rollout, desired, now),
                now);
    }

    private List<Outcome> measureIfDue(Rollout rollout, ReleaseSnapshot desired, Instant now) {
        var spec = rollout.getSpec().analysis;
        var status = rollout.getStatus();
        if (!AnalysisSchedule.due(spec, status, desired, now)) {
            return null;
        }
        List<Outcome> round =
                analyst.measure(
                        spec,
                        Map.of(
                                "canary.version",
                                status.canary.version,
                                "stable.version",
                                status.stable == null ? "" : status.stable.version,
                                "namespace",
                                rollout.getMetadata().getNamespace(),
                                "rollout",
                                rollout.getMetadata().getName()));
        round.forEach(o -> metrics.measured(o.metric(), o.result().label()));
        return round;
    }

    private static TrackState track(Rollout rollout, String track, Context<Rollout> context) {
        String name = OwnedObjects.trackName(rollout, track);
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> name.equals(d.getMetadata().getName()))
                .findFirst()
                .map(RolloutReconciler::trackState)
                .orElse(TrackState.MISSING);
    }

    /** The canary's weight in the Rollout's HTTPRoute as the cache has it; null without one. */
    private Integer routeCanaryWeight(Rollout rollout, Context<Rollout> context) {
        if (!gatewayApi) {
            return null;
        }
        String name = rollout.getMetadata().getName();
        String canary = OwnedObjects.trackName(rollout, OwnedObjects.CANARY);
        return context.getSecondaryResources(HTTPRoute.class).stream()
                .filter(r -> name.equals(r.getMetadata().getName()))
                .findFirst()
                .map(r -> OwnedObjects.backendWeight(r, canary))
                .orElse(null);
    }

    private static TrackState trackState(Deployment d) {
        var template = d.getSpec().getTemplate().getMetadata();
        String release =
                template == null || template.getAnnotations() == null
                        ? null
                        : template.getAnnotations().get(OwnedObjects.RELEASE_ANNOTATION);
        var st = d.getStatus();
        long observed =
                st == null || st.getObservedGeneration() == null ? 0 : st.getObservedGeneration();
        return new TrackState(
                release,
                nz(d.getSpec().getReplicas()),
                st == null ? 0 : nz(st.getReplicas()),
                st == null ? 0 : nz(st.getUpdatedReplicas()),
                st == null ? 0 : nz(st.getAvailableReplicas()),
                observed >= d.getMetadata().getGeneration());
    }

    /**
     * Applies the owned objects. The order is what keeps traffic safe: Services before the route
     * that names them; the route before either Deployment changes, so traffic leaves a track before
     * its pods do, and a promotion moves traffic to the canary before the stable track starts
     * rolling to the new release.
     */
    private static void apply(Rollout rollout, Desired d, Context<Rollout> context) {
        var ops = context.resourceOperations();
        OwnedObjects.services(rollout).forEach(ops::serverSideApply);
        if (rollout.getSpec().traffic != null && rollout.getSpec().traffic.gatewayAPI != null) {
            ops.serverSideApply(OwnedObjects.route(rollout, d.canaryWeight()));
        }
        ops.serverSideApply(
                OwnedObjects.deployment(
                        rollout, OwnedObjects.STABLE, d.stableRelease(), d.stableReplicas()));
        ops.serverSideApply(
                OwnedObjects.deployment(
                        rollout, OwnedObjects.CANARY, d.canaryRelease(), d.canaryReplicas()));
    }

    @Override
    public List<EventSource<?, Rollout>> prepareEventSources(EventSourceContext<Rollout> context) {
        List<EventSource<?, Rollout>> sources = new ArrayList<>();
        sources.add(owned(Deployment.class, context));
        sources.add(owned(Service.class, context));
        if (gatewayApi) {
            sources.add(owned(HTTPRoute.class, context));
        }
        var releaseSource =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(BuildRelease.class, Rollout.class)
                                .withSecondaryToPrimaryMapper(r -> rolloutsOf(context, r))
                                .build(),
                        context);
        // A relabeled namespace changes the verdict of every release in it.
        var namespaceSource =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(Namespace.class, Rollout.class)
                                .withSecondaryToPrimaryMapper(
                                        ns ->
                                                context.getPrimaryCache()
                                                        .list()
                                                        .map(ResourceID::fromResource)
                                                        .collect(Collectors.toSet()))
                                .build(),
                        context);
        releases = new Releases(releaseSource, namespaceSource);
        sources.add(releaseSource);
        sources.add(namespaceSource);
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, Rollout> owned(
            Class<R> type, EventSourceContext<Rollout> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, Rollout.class)
                        .withLabelSelector(MANAGED)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Rollout.class))
                        .build(),
                context);
    }

    private static Set<ResourceID> rolloutsOf(
            EventSourceContext<Rollout> context, BuildRelease release) {
        String app = release.getSpec() == null ? null : release.getSpec().application;
        return context.getPrimaryCache()
                .list(
                        r ->
                                r.getSpec() != null
                                        && r.getSpec().application != null
                                        && r.getSpec().application.equals(app))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
