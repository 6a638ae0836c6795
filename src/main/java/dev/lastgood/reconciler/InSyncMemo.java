package dev.lastgood.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which owned objects the server-side-apply matcher last found holding what the operator would
 * apply, so that a pass over an unchanged pair skips the matcher.
 *
 * <p>Why: the matcher converts both objects to maps on every call, and most passes change nothing
 * (a pod turning ready, a resync, a relabeled namespace). With a fleet, that conversion was most of
 * what a pass allocated, and the garbage collections it caused stretched the slowest passes.
 *
 * <p>An entry is the actual object's resourceVersion and a digest of the desired object's JSON. The
 * matcher's answer depends on nothing else, so a remembered match holds while both are the same:
 * any write to the object, by anyone, gives it a new resourceVersion; any change to what the
 * operator would apply gives a new digest. Either sends the pair through the matcher again. Only
 * matches are remembered: an object that needed an apply is checked afresh on the next pass.
 */
final class InSyncMemo {
    /**
     * Writes models as the client does: the client's serialization configures the mapper it is
     * given, and this one is kept to stream into a digest, which the serialization cannot.
     */
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        new KubernetesSerialization(JSON, false);
    }

    private record Entry(String resourceVersion, byte[] desiredDigest) {}

    /** Owned objects by their Rollout, then by kind and name. */
    private final Map<ResourceID, Map<String, Entry>> byRollout = new ConcurrentHashMap<>();

    /**
     * The digest {@link #inSync} and {@link #remember} compare: SHA-256 of the object's JSON,
     * streamed into the digest rather than built as a string, which would be garbage at once.
     */
    static byte[] digest(HasMetadata desired) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(e);
        }
        try (var out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
            JSON.writeValue(out, desired);
        } catch (IOException e) {
            // Nothing is written anywhere; only a model Jackson cannot serialize ends here.
            throw new UncheckedIOException(e);
        }
        return sha256.digest();
    }

    /** Whether the matcher found {@code actual}, in this very version, holding {@code desired}. */
    boolean inSync(ResourceID rollout, HasMetadata actual, byte[] desiredDigest) {
        var owned = byRollout.get(rollout);
        Entry e = owned == null ? null : owned.get(key(actual));
        return e != null
                && e.resourceVersion().equals(actual.getMetadata().getResourceVersion())
                && Arrays.equals(e.desiredDigest(), desiredDigest);
    }

    /** The matcher found {@code actual} holding the desired object of this digest. */
    void remember(ResourceID rollout, HasMetadata actual, byte[] desiredDigest) {
        String version = actual.getMetadata().getResourceVersion();
        if (version == null) {
            return;
        }
        byRollout
                .computeIfAbsent(rollout, r -> new ConcurrentHashMap<>())
                .put(key(actual), new Entry(version, desiredDigest));
    }

    /** The Rollout is gone: so are its owned objects, by garbage collection. */
    void forget(ResourceID rollout) {
        byRollout.remove(rollout);
    }

    /** Rollouts with an entry; for tests. */
    int size() {
        return byRollout.size();
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }
}
