package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.NameValue;
import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.api.v1alpha1.RolloutSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The objects a Rollout owns, built from its spec and a release snapshot.
 *
 * <p>Each object holds only the fields the operator means to own: they are applied with server-side
 * apply, so anything another manager sets (an HPA, a mesh injector) is left alone.
 */
public final class OwnedObjects {
    public static final String STABLE = "stable";
    public static final String CANARY = "canary";

    /** On pod templates: {@link ReleaseSnapshot#identity()} of the release they run. */
    public static final String RELEASE_ANNOTATION = "lastgood.dev/release";

    private OwnedObjects() {}

    public static String trackName(Rollout rollout, String track) {
        return rollout.getMetadata().getName() + "-" + track;
    }

    public static String podSelector(Rollout rollout) {
        return Labels.ROLLOUT + "=" + rollout.getMetadata().getName();
    }

    public static Deployment deployment(
            Rollout rollout, String track, ReleaseSnapshot release, int replicas) {
        RolloutSpec spec = rollout.getSpec();
        Map<String, String> selector = trackLabels(rollout, track);
        PodTemplateSpec template = Serialization.clone(spec.template);
        ObjectMeta podMeta =
                template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> podLabels =
                new LinkedHashMap<>(podMeta.getLabels() == null ? Map.of() : podMeta.getLabels());
        podLabels.putAll(selector);
        podLabels.put(Labels.VERSION, labelValue(release.version));
        podMeta.setLabels(podLabels);
        Map<String, String> podAnnotations =
                new LinkedHashMap<>(
                        podMeta.getAnnotations() == null ? Map.of() : podMeta.getAnnotations());
        podAnnotations.put(RELEASE_ANNOTATION, release.identity());
        podMeta.setAnnotations(podAnnotations);
        template.setMetadata(podMeta);
        Container container = releaseContainer(spec, template);
        container.setImage(release.image);
        container.setEnv(mergeEnv(container.getEnv(), release.env));
        return new DeploymentBuilder()
                .withMetadata(meta(rollout, trackName(rollout, track), selector))
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withTemplate(template)
                .endSpec()
                .build();
    }

    public static Service service(Rollout rollout, String name, Map<String, String> selector) {
        var port = rollout.getSpec().service;
        int target = port.targetPort == null ? port.port : port.targetPort;
        return new ServiceBuilder()
                .withMetadata(
                        meta(
                                rollout,
                                name,
                                Map.of(Labels.ROLLOUT, rollout.getMetadata().getName())))
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withName("http")
                .withProtocol("TCP")
                .withPort(port.port)
                .withTargetPort(new IntOrString(target))
                .endPort()
                .endSpec()
                .build();
    }

    /** The three Services: one per track, and one in front of both. */
    public static List<Service> services(Rollout rollout) {
        String name = rollout.getMetadata().getName();
        return List.of(
                service(rollout, name, Map.of(Labels.ROLLOUT, name)),
                service(rollout, trackName(rollout, STABLE), trackLabels(rollout, STABLE)),
                service(rollout, trackName(rollout, CANARY), trackLabels(rollout, CANARY)));
    }

    /** The route; both backends always exist as Services, and the weights always sum to 100. */
    public static HTTPRoute route(Rollout rollout, int canaryWeight) {
        var traffic = rollout.getSpec().traffic.gatewayAPI;
        int port = rollout.getSpec().service.port;
        var rule =
                new HTTPRouteRuleBuilder()
                        .withMatches(traffic.matches.isEmpty() ? null : traffic.matches)
                        .withBackendRefs(
                                new HTTPBackendRefBuilder()
                                        .withName(trackName(rollout, STABLE))
                                        .withPort(port)
                                        .withWeight(100 - canaryWeight)
                                        .build(),
                                new HTTPBackendRefBuilder()
                                        .withName(trackName(rollout, CANARY))
                                        .withPort(port)
                                        .withWeight(canaryWeight)
                                        .build())
                        .build();
        return new HTTPRouteBuilder()
                .withMetadata(
                        meta(
                                rollout,
                                rollout.getMetadata().getName(),
                                Map.of(Labels.ROLLOUT, rollout.getMetadata().getName())))
                .withNewSpec()
                .withParentRefs(traffic.parentRefs)
                .withHostnames(traffic.hostnames.isEmpty() ? null : traffic.hostnames)
                .withRules(rule)
                .endSpec()
                .build();
    }

    /**
     * The weight a route gives to backend {@code service}, over all its rules: 0 when it names no
     * such backend, and 1 for a reference without a weight, as Gateway API defines it.
     */
    public static int backendWeight(HTTPRoute route, String service) {
        if (route.getSpec() == null || route.getSpec().getRules() == null) {
            return 0;
        }
        return route.getSpec().getRules().stream()
                .filter(rule -> rule.getBackendRefs() != null)
                .flatMap(rule -> rule.getBackendRefs().stream())
                .filter(ref -> service.equals(ref.getName()))
                .mapToInt(ref -> ref.getWeight() == null ? 1 : ref.getWeight())
                .sum();
    }

    static Map<String, String> trackLabels(Rollout rollout, String track) {
        return Map.of(Labels.ROLLOUT, rollout.getMetadata().getName(), Labels.TRACK, track);
    }

    private static ObjectMeta meta(Rollout rollout, String name, Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(rollout.getMetadata().getNamespace())
                .withLabels(all)
                .withOwnerReferences(
                        new OwnerReferenceBuilder()
                                .withApiVersion(rollout.getApiVersion())
                                .withKind(rollout.getKind())
                                .withName(rollout.getMetadata().getName())
                                .withUid(rollout.getMetadata().getUid())
                                .withController(true)
                                .withBlockOwnerDeletion(true)
                                .build())
                .build();
    }

    private static Container releaseContainer(RolloutSpec spec, PodTemplateSpec template) {
        List<Container> containers = template.getSpec().getContainers();
        if (spec.container == null) {
            return containers.get(0);
        }
        return containers.stream()
                .filter(c -> spec.container.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no container " + spec.container));
    }

    /** The template's env with the release's entries on top; the release wins on a name clash. */
    private static List<EnvVar> mergeEnv(List<EnvVar> template, List<NameValue> release) {
        Map<String, EnvVar> byName = new LinkedHashMap<>();
        if (template != null) {
            template.forEach(e -> byName.put(e.getName(), e));
        }
        release.forEach(
                e -> byName.put(e.name, new EnvVar(e.name, e.value == null ? "" : e.value, null)));
        return new ArrayList<>(byName.values());
    }

    // Compiled once: every pass builds both Deployments, so a per-call compile is per-pass garbage.
    private static final Pattern NOT_IN_LABEL_ALPHABET = Pattern.compile("[^A-Za-z0-9._-]");
    private static final Pattern NON_ALPHANUMERIC_ENDS =
            Pattern.compile("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$");

    /** A version as a label value: at most 63 characters of the allowed alphabet. */
    static String labelValue(String version) {
        String v = NOT_IN_LABEL_ALPHABET.matcher(version).replaceAll("_");
        v = v.length() > 63 ? v.substring(0, 63) : v;
        return NON_ALPHANUMERIC_ENDS.matcher(v).replaceAll("");
    }
}
