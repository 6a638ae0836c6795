package dev.lastgood.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs instant queries against the Prometheus HTTP API. */
public class PrometheusClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public PrometheusClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Never throws: every failure becomes an error result, which is never a pass. */
    public QueryResult query(String address, String promql) {
        try {
            URI uri =
                    URI.create(
                            address.replaceAll("/+$", "")
                                    + "/api/v1/query?query="
                                    + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
            // One deadline for the whole answer: the request timeout alone covers only the
            // headers, and a server that stalls mid-body would hold the reconciliation forever.
            HttpResponse<String> response =
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return parse(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            return QueryResult.failed(
                    "Prometheus at " + address + " timed out after " + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
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
        if (status != 200 || root == null || !"success".equals(root.path("status").asText())) {
            String error = root == null ? "" : root.path("error").asText("");
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
