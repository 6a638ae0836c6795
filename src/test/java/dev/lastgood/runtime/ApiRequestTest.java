package dev.lastgood.runtime;

import static dev.lastgood.runtime.ApiRequest.Kind.LEASE_CLAIM;
import static dev.lastgood.runtime.ApiRequest.Kind.LEASE_RELEASE;
import static dev.lastgood.runtime.ApiRequest.Kind.READ;
import static dev.lastgood.runtime.ApiRequest.Kind.REVIEW;
import static dev.lastgood.runtime.ApiRequest.Kind.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiRequestTest {
    private static final String LEASE =
            "/apis/coordination.k8s.io/v1/namespaces/lastgood-system/leases/lastgood-operator";

    private static ApiRequest.Kind classify(String method, String path, String body) {
        return ApiRequest.classify(method, path, body, "lastgood-operator", "replica-a");
    }

    private static String lease(String name, String holder) {
        return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\""
                + name
                + "\"},\"spec\":{"
                + (holder == null ? "" : "\"holderIdentity\":\"" + holder + "\",")
                + "\"leaseDurationSeconds\":15}}";
    }

    @ParameterizedTest
    @CsvSource({
        "GET, /apis/lastgood.dev/v1alpha1/namespaces/shop/rollouts",
        "get, /api/v1/namespaces/shop/pods",
        "HEAD, /api/v1/namespaces",
    })
    void readsAreNeverFenced(String method, String path) {
        assertThat(classify(method, path, null)).isEqualTo(READ);
    }

    @ParameterizedTest
    @CsvSource({
        "PATCH, /apis/lastgood.dev/v1alpha1/namespaces/shop/rollouts/kv/status",
        "PATCH, /apis/apps/v1/namespaces/shop/deployments/kv-canary",
        "POST, /apis/events.k8s.io/v1/namespaces/shop/events",
        "PUT, /apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/kv",
        "DELETE, /api/v1/namespaces/shop/services/kv-preview",
    })
    void everyOtherWriteIsFenced(String method, String path) {
        assertThat(classify(method, path, "{}")).isEqualTo(WRITE);
    }

    @Test
    void aSubjectReviewIsAQuestionNotAWrite() {
        assertThat(classify("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "{}"))
                .isEqualTo(REVIEW);
    }

    @Test
    void renewingOurLeaseAsHolderIsAClaim() {
        assertThat(classify("PUT", LEASE, lease("lastgood-operator", "replica-a")))
                .isEqualTo(LEASE_CLAIM);
    }

    @Test
    void creatingOurLeaseAsHolderIsAClaim() {
        assertThat(
                        classify(
                                "POST",
                                "/apis/coordination.k8s.io/v1/namespaces/lastgood-system/leases",
                                lease("lastgood-operator", "replica-a")))
                .isEqualTo(LEASE_CLAIM);
    }

    @Test
    void writingOurLeaseWithoutUsAsHolderIsAHandOver() {
        assertThat(classify("PUT", LEASE, lease("lastgood-operator", null)))
                .isEqualTo(LEASE_RELEASE);
        assertThat(classify("PUT", LEASE, lease("lastgood-operator", "replica-b")))
                .isEqualTo(LEASE_RELEASE);
        assertThat(classify("DELETE", LEASE, null)).isEqualTo(LEASE_RELEASE);
    }

    @Test
    void anotherLeaseIsAnOrdinaryWrite() {
        assertThat(
                        classify(
                                "PUT",
                                "/apis/coordination.k8s.io/v1/namespaces/lastgood-system/leases/other",
                                lease("other", "replica-a")))
                .isEqualTo(WRITE);
    }

    @Test
    void anUnreadableLeaseBodyClaimsNothing() {
        assertThat(classify("PUT", LEASE, "not json")).isEqualTo(LEASE_RELEASE);
    }
}
