package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A Rollout's owned objects, read from the informer caches by name.
 *
 * <p>Why not the SDK's {@code Context.getSecondaryResources}: it collects the objects into a hash
 * set, and a Kubernetes model object hashes every field it holds, down to each container's
 * environment. That hashing was a fifth of what a pass with nothing to do allocated. The owned
 * objects' names follow from the Rollout's, so each is one lookup by key. The result is what the
 * SDK's owner-reference index would give: an object of that name that this Rollout does not own
 * reads as absent.
 */
final class OwnedCache {
    private final Map<Class<?>, InformerEventSource<?, Rollout>> sources =
            new ConcurrentHashMap<>();

    /** Reads objects of {@code type} from {@code source} from now on; returns the source. */
    <R extends HasMetadata> InformerEventSource<R, Rollout> add(
            Class<R> type, InformerEventSource<R, Rollout> source) {
        sources.put(type, source);
        return source;
    }

    /** The object of this type and name in the Rollout's namespace, if the Rollout owns it. */
    <R extends HasMetadata> Optional<R> get(Class<R> type, Rollout rollout, String name) {
        return cached(type, rollout, name).filter(o -> ownedBy(o, rollout));
    }

    /**
     * The other Rollout that owns the cached object of this type and name in the Rollout's
     * namespace, if one does. Two Rollouts can want one name: {@code web}'s canary Service and
     * {@code web-canary}'s own Service are both {@code web-canary}, and applying it would take it
     * from its owner, selector and all.
     */
    <R extends HasMetadata> Optional<String> heldByAnother(
            Class<R> type, Rollout rollout, String name) {
        String self = rollout.getMetadata().getName();
        return cached(type, rollout, name)
                .flatMap(o -> rolloutOwners(o, rollout).filter(n -> !n.equals(self)).findFirst());
    }

    static boolean ownedBy(HasMetadata o, Rollout rollout) {
        return rolloutOwners(o, rollout).anyMatch(rollout.getMetadata().getName()::equals);
    }

    private <R extends HasMetadata> Optional<R> cached(
            Class<R> type, Rollout rollout, String name) {
        @SuppressWarnings("unchecked")
        var source = (InformerEventSource<R, Rollout>) sources.get(type);
        if (source == null) {
            return Optional.empty();
        }
        return source.get(new ResourceID(name, rollout.getMetadata().getNamespace()));
    }

    /** The names of the Rollouts (of this Rollout's kind and version) that own {@code o}. */
    private static Stream<String> rolloutOwners(HasMetadata o, Rollout rollout) {
        var owners = o.getMetadata().getOwnerReferences();
        return owners == null
                ? Stream.empty()
                : owners.stream()
                        .filter(
                                r ->
                                        rollout.getKind().equals(r.getKind())
                                                && rollout.getApiVersion()
                                                        .equals(r.getApiVersion()))
                        .map(r -> r.getName());
    }
}
