package dev.lastgood.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request to the API server means to the {@link LeadershipFence}: a read, a write of the
 * operator's own Lease, or a write that only the leader may make.
 *
 * <p>Pure: method, path and body in, a kind out.
 */
public final class ApiRequest {
    /** How the fence treats a request. */
    public enum Kind {
        /** GET, watch and friends: anyone may read. */
        READ,
        /**
         * A SelfSubjectRulesReview and the like: a question, stored nowhere. The operator SDK asks
         * one before competing for the Lease.
         */
        REVIEW,
        /** A write of our Lease naming this replica as holder: acquiring or renewing. */
        LEASE_CLAIM,
        /** A write of our Lease naming someone else or no one: handing it over. */
        LEASE_RELEASE,
        /** Any other write: only while leadership is fresh. */
        WRITE
    }

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Pattern LEASES =
            Pattern.compile(
                    "^/apis/coordination\\.k8s\\.io/v1/namespaces/[^/]+/leases(?:/([^/]+))?$");
    private static final Pattern REVIEWS =
            Pattern.compile("^/apis/(?:authorization|authentication)\\.k8s\\.io/v1/[a-z]+reviews$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiRequest() {}

    /**
     * @param leaseName the Lease the replicas compete for
     * @param identity this replica's holder identity
     */
    public static Kind classify(
            String method, String path, String body, String leaseName, String identity) {
        if (READ_METHODS.contains(method.toUpperCase(java.util.Locale.ROOT))) {
            return Kind.READ;
        }
        if ("POST".equalsIgnoreCase(method) && REVIEWS.matcher(path).matches()) {
            return Kind.REVIEW;
        }
        Matcher lease = LEASES.matcher(path);
        if (lease.matches()) {
            JsonNode lock = parse(body);
            String name =
                    lease.group(1) != null
                            ? lease.group(1)
                            : lock.path("metadata").path("name").asText();
            if (leaseName.equals(name)) {
                return identity.equals(lock.path("spec").path("holderIdentity").asText(null))
                        ? Kind.LEASE_CLAIM
                        : Kind.LEASE_RELEASE;
            }
        }
        return Kind.WRITE;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.missingNode(); // not a Lease we can read: no claim
        }
    }
}
