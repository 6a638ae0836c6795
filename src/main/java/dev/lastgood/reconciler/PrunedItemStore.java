package dev.lastgood.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An informer cache that keeps only what the operator reads of the objects it owns.
 *
 * <p>Most of the memory of a cached Deployment or Service is its {@code managedFields}: one nested
 * map of field paths per manager (the controller manager's status writes, kubectl, an HPA). The
 * operator reads only its own entry, which the server-side-apply matcher in {@link Applier} needs
 * to tell whether an object still holds what the operator applied; every other manager's entry is
 * dropped on the way into the cache, as is kubectl's last-applied annotation. With a fleet of
 * Rollouts this is the largest part of the heap.
 *
 * <p>One instance serves one informer. The operator SDK hands the same store to every per-namespace
 * informer of an event source, and a relist of one namespace would then evict the others' objects;
 * so the reconciler uses this store only when it watches all namespaces through a single informer.
 */
final class PrunedItemStore<R extends HasMetadata> extends BasicItemStore<R> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final String fieldManager;

    PrunedItemStore(String fieldManager) {
        super(Cache::metaNamespaceKeyFunc);
        this.fieldManager = fieldManager;
    }

    @Override
    public R put(String key, R obj) {
        return super.put(key, prune(obj, fieldManager));
    }

    /** Drops other managers' managedFields entries and the last-applied annotation, in place. */
    static <R extends HasMetadata> R prune(R obj, String fieldManager) {
        var meta = obj.getMetadata();
        if (meta == null) {
            return obj;
        }
        List<ManagedFieldsEntry> entries = meta.getManagedFields();
        if (entries != null && entries.stream().anyMatch(e -> !mine(e, fieldManager))) {
            meta.setManagedFields(
                    new ArrayList<>(entries.stream().filter(e -> mine(e, fieldManager)).toList()));
        }
        Map<String, String> annotations = meta.getAnnotations();
        if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
            annotations.remove(LAST_APPLIED);
        }
        return obj;
    }

    private static boolean mine(ManagedFieldsEntry e, String fieldManager) {
        return Objects.equals(e.getManager(), fieldManager);
    }
}
