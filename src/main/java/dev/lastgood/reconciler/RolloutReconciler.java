package dev.lastgood.reconciler;

import dev.lastgood.analysis.Analyst;
import dev.lastgood.analysis.Outcome;
import dev.lastgood.analysis.PrometheusClient;
import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.api.v1alpha1.RolloutStatus;
import dev.lastgood.metrics.OperatorMetrics;
import dev.lastgood.rollout.AnalysisSchedule;
import dev.lastgood.rollout.Desired;
import dev.lastgood.rollout.Observation;
import dev.lastgood.rollout.Plan;
import dev.lastgood.rollout.Planner;
import dev.lastgood.rollout.SpecValidator;
import dev.lastgood.rollout.TrackState;
import dev.lastgood.rollout.Withdrawal;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(RolloutReconciler.class);
    public static final String NAME = "rollout";
    public static final String FIELD_MANAGER = "lastgood";

    /** 63, the longest Service name, less the "-canary" suffix. */
    private static final int MAX_NAME_LENGTH = 56;

    private static final Pattern SERVICE_NAME = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");

    private static final int HTTP_BAD_REQUEST = 400;
    private static final int HTTP_FORBIDDEN = 403;
    private static final int HTTP_NOT_FOUND = 404;
    private static final int HTTP_UNPROCESSABLE = 422;
    static final String MANAGED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    private static final Duration PROMETHEUS_TIMEOUT = Duration.ofSeconds(5);

    private final OperatorMetrics metrics;
    private final Analyst analyst;
    private final AnalysisRunner rounds;

    private final RolloutSignals signals = new RolloutSignals();
    private final InSyncMemo inSync = new InSyncMemo();
    private final OwnedCache owned = new OwnedCache();

    private final StatusRecorder recorder;
    private final boolean gatewayApi;
    private Releases releases;

    public RolloutReconciler(
            KubernetesClient client,
            OperatorMetrics metrics,
            @ConfigProperty(name = "lastgood.analysis-threads", defaultValue = "16")
                    int analysisThreads) {
        this.metrics = metrics;
        this.analyst = new Analyst(new PrometheusClient(PROMETHEUS_TIMEOUT));
        this.rounds = new AnalysisRunner(analysisThreads, signals::propagateEvent);
        metrics.analysisRounds(rounds::querying, rounds::waiting);
        this.recorder = new StatusRecorder(new EventRecorder(client), metrics);
        this.gatewayApi = GatewayApi.installed(client);
    }

    @Override
    public UpdateControl<Rollout> reconcile(Rollout rollout, Context<Rollout> context) {
        try {
            return reconcileOnce(rollout, context);
        } catch (KubernetesClientException e) {
            if (namespaceTerminating(e)) {
                // The namespace is being deleted with everything in it: nothing to do, and
                // nothing worth an error either.
                return UpdateControl.noUpdate();
            }
            if (deletedMeanwhile(rollout, e)) {
                // Deleted while this pass ran (its status write found it gone): the owned
                // objects go with it by garbage collection; nothing to report.
                LOG.info("deleted while being reconciled; nothing left to do");
                return UpdateControl.noUpdate();
            }
            throw e;
        }
    }

    private static boolean deletedMeanwhile(Rollout rollout, KubernetesClientException e) {
        var status = e.getStatus();
        return e.getCode() == HTTP_NOT_FOUND
                && status != null
                && status.getDetails() != null
                && "rollouts".equals(status.getDetails().getKind())
                && rollout.getMetadata().getName().equals(status.getDetails().getName());
    }

    private static boolean namespaceTerminating(KubernetesClientException e) {
        var status = e.getStatus();
        return e.getCode() == HTTP_FORBIDDEN
                && status != null
                && status.getDetails() != null
                && status.getDetails().getCauses() != null
                && status.getDetails().getCauses().stream()
                        .anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }

    private UpdateControl<Rollout> reconcileOnce(Rollout rollout, Context<Rollout> context) {
        if (releases.terminating(rollout.getMetadata().getNamespace())) {
            // Its namespace is being deleted with everything in it, this Rollout included.
            return UpdateControl.noUpdate();
        }
        var timer = metrics.startReconcile();
        try {
            List<String> problems = problems(rollout);
            if (!problems.isEmpty()) {
                return recorder.invalid(
                        rollout, withdrawCanary(rollout, context), problems, context);
            }
            ReleaseResolution release = releases.resolve(rollout);
            if (!release.verdict().isAllowed()) {
                return recorder.rejected(
                        rollout, withdrawCanary(rollout, context), release.verdict(), context);
            }

            Observation seen = observe(rollout, release.snapshot(), context);
            Plan plan = Planner.plan(seen);

            try {
                if (plan.desired() != null) {
                    apply(rollout, plan.desired(), context);
                }
            } catch (Applier.NameTaken e) {
                // Another Rollout's objects hold a name this one needs: a naming mistake to
                // report; the Rollout that has the objects keeps them.
                return recorder.invalid(
                        rollout,
                        withdrawCanary(rollout, context),
                        List.of(e.getMessage()),
                        context);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HTTP_BAD_REQUEST && e.getCode() != HTTP_UNPROCESSABLE) {
                    throw e;
                }
                // The API server refused an object built from the user's template: a spec
                // mistake to report, not a failure to retry.
                return recorder.invalid(
                        rollout, withdrawCanary(rollout, context), List.of(refusal(e)), context);
            }
            return recorder.record(rollout, plan, context);
        } finally {
            timer.observeDuration();
        }
    }

    /**
     * A spec that can no longer be carried out mid-canary sends traffic back to last-good (see
     * {@link Withdrawal}); otherwise nothing that runs is touched. Returns the status to record.
     */
    private RolloutStatus withdrawCanary(Rollout rollout, Context<Rollout> context) {
        RolloutStatus status =
                rollout.getStatus() == null
                        ? new RolloutStatus()
                        : Serialization.clone(rollout.getStatus());
        if (!Withdrawal.needed(status)) {
            return status;
        }
        int replicas = rollout.getSpec().replicas == null ? 1 : rollout.getSpec().replicas;
        try {
            apply(rollout, Withdrawal.desired(status, replicas), context);
        } catch (KubernetesClientException | Applier.NameTaken e) {
            LOG.warn("could not return traffic to last-good: {}", e.getMessage());
            return status;
        }
        LOG.info(
                "{}: canary {} withdrawn, traffic back on last-good {}",
                Reasons.ROLLED_BACK,
                status.canary.version,
                status.stable.version);
        Withdrawal.record(status);
        return status;
    }

    private static String refusal(KubernetesClientException e) {
        var status = e.getStatus();
        String what =
                status == null || status.getDetails() == null
                        ? "an owned object"
                        : status.getDetails().getKind() + " " + status.getDetails().getName();
        String why = status == null ? e.getMessage() : status.getMessage();
        return "the API server refused " + what + " built from spec.template: " + why;
    }

    private List<String> problems(Rollout rollout) {
        List<String> problems = new ArrayList<>(SpecValidator.problems(rollout.getSpec()));
        String name = rollout.getMetadata().getName();
        if (name.length() > MAX_NAME_LENGTH || !SERVICE_NAME.matcher(name).matches()) {
            problems.add(
                    "the name "
                            + name
                            + " cannot name its Services: use at most "
                            + MAX_NAME_LENGTH
                            + " lowercase letters, digits and '-', starting with a"
                            + " letter (N-canary must be a valid Service name)");
        }
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
        AnalysisRunner.Ended ended = roundIfDue(rollout, desired, now);
        return new Observation(
                rollout.getMetadata().getGeneration(),
                rollout.getSpec(),
                rollout.getStatus(),
                desired,
                track(rollout, OwnedObjects.STABLE),
                track(rollout, OwnedObjects.CANARY),
                routeCanaryWeight(rollout),
                annotations.get(Labels.PROMOTE),
                annotations.get(Labels.ABORT),
                ended == null ? null : ended.outcomes(),
                ended == null ? null : ended.startedAt(),
                rounds.running(ResourceID.fromResource(rollout)),
                now);
    }

    /** The analysis round due, once it has ended; null while none is due or it still runs. */
    private AnalysisRunner.Ended roundIfDue(Rollout rollout, ReleaseSnapshot desired, Instant now) {
        var spec = rollout.getSpec().analysis;
        var status = rollout.getStatus();
        ResourceID id = ResourceID.fromResource(rollout);
        if (!AnalysisSchedule.due(spec, status, desired, now)) {
            rounds.settled(id);
            return null;
        }
        Map<String, String> placeholders =
                Map.of(
                        "canary.version",
                        status.canary.version,
                        "stable.version",
                        status.stable == null ? "" : status.stable.version,
                        "namespace",
                        rollout.getMetadata().getNamespace(),
                        "rollout",
                        rollout.getMetadata().getName());
        // The round that follows the last one recorded, for this canary and this analysis spec:
        // a round started for anything else is never recorded here.
        String key =
                status.analysis.lastRoundAt
                        + "|"
                        + status.canary.identity()
                        + "|"
                        + new TreeMap<>(placeholders)
                        + "|"
                        + Serialization.asJson(spec);
        return rounds.round(id, key, () -> measure(spec, placeholders)).orElse(null);
    }

    /**
     * One round of queries, counted here once however often a pass then takes it. The count is of
     * measurements made: a round thrown away (its canary replaced or its Rollout deleted while it
     * queried) is counted too, though never recorded.
     */
    private List<Outcome> measure(AnalysisSpec spec, Map<String, String> placeholders) {
        List<Outcome> round = analyst.measure(spec, placeholders);
        round.forEach(o -> metrics.measured(o.metric(), o.result().label()));
        return round;
    }

    /**
     * Wakes a Rollout whose analysis round has ended off the reconcile thread; and when a Rollout
     * is deleted, drops what the operator keeps of it in memory: its analysis round, what it
     * remembers of its owned objects, and its metric series, which would otherwise be exported for
     * ever.
     */
    private final class RolloutSignals extends SimpleInboundEventSource<Rollout>
            implements ResourceEventAware<Rollout> {
        RolloutSignals() {
            super("rollout-signals");
        }

        @Override
        public void onResourceDeleted(Rollout rollout) {
            rounds.settled(ResourceID.fromResource(rollout));
            inSync.forget(ResourceID.fromResource(rollout));
            metrics.forget(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName());
        }
    }

    private TrackState track(Rollout rollout, String track) {
        return owned.get(Deployment.class, rollout, OwnedObjects.trackName(rollout, track))
                .map(RolloutReconciler::trackState)
                .orElse(TrackState.MISSING);
    }

    /** The canary's weight in the Rollout's HTTPRoute as the cache has it; null without one. */
    private Integer routeCanaryWeight(Rollout rollout) {
        if (!gatewayApi) {
            return null;
        }
        String canary = OwnedObjects.trackName(rollout, OwnedObjects.CANARY);
        return owned.get(HTTPRoute.class, rollout, rollout.getMetadata().getName())
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
    private void apply(Rollout rollout, Desired d, Context<Rollout> context) {
        // A template the API server refuses (an unknown imagePullPolicy, say) is found only when
        // its Deployment is applied, after the Services and the HTTPRoute. For a new Rollout they
        // then stay, owned and garbage-collected with it, as they would for a valid template until
        // its pods are ready; an existing Rollout's canary is withdrawn (see withdrawCanary). A
        // server-side dry run of the Deployments first would find it earlier, at the price of two
        // more writes in every first pass, which a fleet's creation waits on: not worth it.
        List<HasMetadata> inOrder = new ArrayList<>(OwnedObjects.services(rollout));
        if (rollout.getSpec().traffic != null && rollout.getSpec().traffic.gatewayAPI != null) {
            inOrder.add(OwnedObjects.route(rollout, d.canaryWeight()));
        }
        inOrder.add(
                OwnedObjects.deployment(
                        rollout, OwnedObjects.STABLE, d.stableRelease(), d.stableReplicas()));
        inOrder.add(
                OwnedObjects.deployment(
                        rollout, OwnedObjects.CANARY, d.canaryRelease(), d.canaryReplicas()));
        Applier applier = new Applier(rollout, context, owned, inSync);
        applier.claim(inOrder);
        inOrder.forEach(applier::apply);
    }

    @Override
    public List<EventSource<?, Rollout>> prepareEventSources(EventSourceContext<Rollout> context) {
        List<EventSource<?, Rollout>> sources = new ArrayList<>();
        sources.add(signals);
        sources.add(owned.add(Deployment.class, ownedSource(Deployment.class, context)));
        sources.add(owned.add(Service.class, ownedSource(Service.class, context)));
        if (gatewayApi) {
            sources.add(owned.add(HTTPRoute.class, ownedSource(HTTPRoute.class, context)));
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
                                // Cluster-scoped: one informer, whatever namespaces the
                                // controller watches. Per-namespace informers would never
                                // be asked (a Namespace's ResourceID has no namespace), so
                                // every namespace would read as unlabeled.
                                .withWatchAllNamespaces()
                                .withFollowControllerNamespacesChanges(false)
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

    private static <R extends HasMetadata> InformerEventSource<R, Rollout> ownedSource(
            Class<R> type, EventSourceContext<Rollout> context) {
        var config =
                InformerEventSourceConfiguration.from(type, Rollout.class)
                        .withLabelSelector(MANAGED)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Rollout.class));
        // One informer for all namespaces can keep a pruned cache; per-namespace informers
        // would share the one store the SDK hands them (see PrunedItemStore).
        if (InformerConfiguration.allNamespacesWatched(
                context.getControllerConfiguration().getEffectiveNamespaces())) {
            config.withItemStore(new PrunedItemStore<>(FIELD_MANAGER));
        }
        return new InformerEventSource<>(config.build(), context);
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
