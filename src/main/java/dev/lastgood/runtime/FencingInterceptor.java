package dev.lastgood.runtime;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the {@link LeadershipFence} in front of every request of the operator's Kubernetes client.
 *
 * <p>In the HTTP client rather than in each caller, so that no write path can forget it: owned
 * objects, status patches and events of our own, and whatever the operator SDK writes for itself.
 * The check runs on the calling thread just before the request is handed to the connection, the
 * latest point the client offers. The Lease writes of the leader elector pass through here too;
 * their successful answers are what keeps the fence open.
 */
// The limit of any client-side fence: a freeze that falls after the check but before the HTTP
// client's event loop has sent the bytes still lets that one request out late. Only the API server
// can close that gap, with a precondition it checks (as it checks the resourceVersion of the status
// patches). client-go's leader election offers no fence at all; README says what this one covers.
final class FencingInterceptor implements Interceptor {
    /** The name the interceptor is registered under in the HTTP client. */
    static final String NAME = "lastgood-leadership-fence";

    /**
     * Carries the clock reading of a Lease claim from {@link #before} to {@link #after}: the client
     * hands {@code after} a copy of the request, with a new id but the same headers.
     */
    static final String SENT_AT = "X-Lastgood-Claim-Sent-At";

    private static final Logger LOG = LoggerFactory.getLogger(FencingInterceptor.class);

    private final LeadershipFence fence;
    private final String leaseName;
    private final String identity;
    private final Runnable onRefused;
    private final AtomicBoolean refusedOnce = new AtomicBoolean();

    FencingInterceptor(
            LeadershipFence fence, String leaseName, String identity, Runnable onRefused) {
        this.fence = fence;
        this.leaseName = leaseName;
        this.identity = identity;
        this.onRefused = onRefused;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        switch (kind(request)) {
            case READ, REVIEW -> {}
            case LEASE_CLAIM -> {
                if (fence.revoked()) {
                    // Leaving: a renewal that read the Lease before it was handed over must not
                    // take it back from the replica it was handed to.
                    throw new FencedWriteException(
                            request.method() + " " + request.uri().getRawPath());
                }
                builder.setHeader(SENT_AT, Long.toString(fence.now()));
            }
            case LEASE_RELEASE -> fence.revoke();
            case WRITE -> {
                if (!fence.mayWrite()) {
                    refuse(request);
                }
            }
        }
    }

    @Override
    public void after(
            HttpRequest request,
            HttpResponse<?> response,
            AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        String sentAt = request.header(SENT_AT);
        if (sentAt != null && response.isSuccessful()) {
            fence.renewed(Long.parseLong(sentAt));
        }
    }

    private ApiRequest.Kind kind(HttpRequest request) {
        return ApiRequest.classify(
                request.method(),
                request.uri().getRawPath(),
                "GET".equals(request.method()) ? null : request.bodyString(),
                leaseName,
                identity);
    }

    /** The write does not leave the process; the process leaves, as on a lost Lease. */
    private void refuse(HttpRequest request) {
        if (refusedOnce.compareAndSet(false, true)) {
            var since = fence.sinceConfirmed();
            LOG.warn(
                    "leadership not confirmed for {} (limit {}): refusing {} {} and every later"
                            + " write, exiting so that only the current leader writes",
                    since == null ? "ever" : since.toMillis() + " ms",
                    fence.window(),
                    request.method(),
                    request.uri().getRawPath());
            onRefused.run();
        }
        throw new FencedWriteException(request.method() + " " + request.uri().getRawPath());
    }

    /** A write this replica refused because it can no longer be sure it leads. */
    static final class FencedWriteException extends KubernetesClientException {
        FencedWriteException(String what) {
            super("write refused, leadership not confirmed recently: " + what);
        }
    }
}
