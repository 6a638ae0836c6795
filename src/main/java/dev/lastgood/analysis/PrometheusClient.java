package dev.lastgood.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs instant queries against the Prometheus HTTP API. */
public class PrometheusClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Largest answer read. One sample takes a few hundred bytes; a larger answer is a wrong query
     * or not Prometheus, and buffering it would only cost the operator memory.
     */
    static final int MAX_ANSWER_BYTES = 1 << 20;

    /** Longest error text of Prometheus kept: it ends up in status, events and logs. */
    static final int MAX_ERROR_CHARS = 200;

    private final HttpClient http;
    private final Duration timeout;

    public PrometheusClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Never throws: every failure becomes an error result, which is never a pass. */
    public QueryResult query(String address, String promql) {
        CompletableFuture<HttpResponse<String>> exchange = null;
        try {
            URI uri =
                    URI.create(
                            address.replaceAll("/+$", "")
                                    + "/api/v1/query?query="
                                    + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
            // One deadline for the whole answer: the request timeout alone covers only the
            // headers, and a server that stalls mid-body would hold the reconciliation forever.
            exchange = http.sendAsync(request, info -> new CappedBody(MAX_ANSWER_BYTES));
            HttpResponse<String> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return parse(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            // Cancelling aborts the exchange and closes its connection: a Prometheus that never
            // answers would otherwise keep one open per timed-out query, for as long as it hangs.
            exchange.cancel(true);
            return QueryResult.failed(
                    "Prometheus at " + address + " timed out after " + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            if (tooLarge(e)) {
                return QueryResult.failed(
                        "Prometheus at "
                                + address
                                + ": answer is larger than "
                                + (MAX_ANSWER_BYTES >> 20)
                                + " MiB; the query must return one sample");
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why =
                    cause.getMessage() == null
                            ? cause.getClass().getSimpleName()
                            : cause.getMessage();
            return QueryResult.failed("Prometheus at " + address + " unreachable: " + why);
        } catch (IllegalArgumentException e) {
            return QueryResult.failed(
                    "Prometheus address " + address + " is not usable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return QueryResult.failed("interrupted");
        }
    }

    static QueryResult parse(int status, String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            return QueryResult.failed("HTTP " + status + ": answer is not JSON");
        }
        if (status == 200 && (root == null || !root.has("status"))) {
            return QueryResult.failed("HTTP 200: answer is not a Prometheus query result");
        }
        if (status != 200 || !"success".equals(root.path("status").asText())) {
            String error = root == null ? "" : abbreviate(root.path("error").asText(""));
            return QueryResult.failed("HTTP " + status + (error.isEmpty() ? "" : ": " + error));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText();
        List<Double> samples = new ArrayList<>();
        switch (type) {
            case "scalar" -> samples.add(value(data.path("result").path(1).asText()));
            case "vector" ->
                    data.path("result")
                            .forEach(s -> samples.add(value(s.path("value").path(1).asText())));
            default -> {
                return QueryResult.failed(
                        "unsupported result type '" + type + "'; use an instant vector or scalar");
            }
        }
        return new QueryResult(samples, null);
    }

    private static String abbreviate(String text) {
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "..." : text;
    }

    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AnswerTooLarge) {
                return true;
            }
        }
        return false;
    }

    /** Thrown into the answer's future when it goes past the limit. */
    static final class AnswerTooLarge extends IOException {
        AnswerTooLarge(int limit) {
            super("answer larger than " + limit + " bytes");
        }
    }

    /**
     * Collects an answer as text, and stops reading one larger than the limit: it is never buffered
     * whole.
     */
    static final class CappedBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                if (body.isDone()) {
                    return;
                }
                if (bytes.size() + b.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new AnswerTooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private static double value(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
        };
    }
}
