package dev.lastgood.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {

    @Test
    void readsAVectorWithOneSample() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        """
                        {"status":"success","data":{"resultType":"vector","result":[
                          {"metric":{"job":"shop"},"value":[1893456000.123,"0.015"]}]}}
                        """);

        assertThat(result.error()).isNull();
        assertThat(result.samples()).containsExactly(0.015);
    }

    @Test
    void readsAnEmptyVectorAsNoSamples() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");

        assertThat(result.error()).isNull();
        assertThat(result.samples()).isEmpty();
    }

    @Test
    void readsNaN() {
        QueryResult result = PrometheusClient.parse(200, vector("\"NaN\""));

        assertThat(result.samples()).singleElement().matches(v -> Double.isNaN(v));
    }

    @Test
    void readsPositiveInfinity() {
        QueryResult result = PrometheusClient.parse(200, vector("\"+Inf\""));

        assertThat(result.samples()).containsExactly(Double.POSITIVE_INFINITY);
    }

    @Test
    void readsNegativeInfinity() {
        QueryResult result = PrometheusClient.parse(200, vector("\"-Inf\""));

        assertThat(result.samples()).containsExactly(Double.NEGATIVE_INFINITY);
    }

    @Test
    void readsAnUnparsableValueAsNaN() {
        QueryResult result = PrometheusClient.parse(200, vector("\"lots\""));

        assertThat(result.samples()).singleElement().matches(v -> Double.isNaN(v));
    }

    @Test
    void readsAScalar() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                                + "\"result\":[1893456000,\"42\"]}}");

        assertThat(result.error()).isNull();
        assertThat(result.samples()).containsExactly(42.0);
    }

    @Test
    void readsEverySeriesOfAVector() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        """
                        {"status":"success","data":{"resultType":"vector","result":[
                          {"metric":{"pod":"a"},"value":[1893456000,"1"]},
                          {"metric":{"pod":"b"},"value":[1893456000,"2"]}]}}
                        """);

        assertThat(result.error()).isNull();
        assertThat(result.samples()).containsExactly(1.0, 2.0);
    }

    @Test
    void reportsThePrometheusErrorOfABadQuery() {
        QueryResult result =
                PrometheusClient.parse(
                        400,
                        "{\"status\":\"error\",\"errorType\":\"bad_data\","
                                + "\"error\":\"parse error at char 5\"}");

        assertThat(result.samples()).isEmpty();
        assertThat(result.error()).isEqualTo("HTTP 400: parse error at char 5");
    }

    @Test
    void reportsAnErrorStatusEvenWithHttp200() {
        QueryResult result =
                PrometheusClient.parse(200, "{\"status\":\"error\",\"error\":\"timeout\"}");

        assertThat(result.error()).isEqualTo("HTTP 200: timeout");
    }

    @Test
    void reportsAnHttpErrorWithoutABody() {
        QueryResult result = PrometheusClient.parse(503, "{}");

        assertThat(result.error()).isEqualTo("HTTP 503");
    }

    @Test
    void reportsAnAnswerThatIsNotJson() {
        QueryResult result = PrometheusClient.parse(502, "<html>Bad Gateway</html>");

        assertThat(result.samples()).isEmpty();
        assertThat(result.error()).isEqualTo("HTTP 502: answer is not JSON");
    }

    @Test
    void refusesARangeVector() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                                + "{\"metric\":{},\"values\":[[1893456000,\"1\"]]}]}}");

        assertThat(result.samples()).isEmpty();
        assertThat(result.error()).contains("unsupported result type 'matrix'");
    }

    @Test
    void refusesAStringResult() {
        QueryResult result =
                PrometheusClient.parse(
                        200,
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
                                + "\"result\":[1893456000,\"x\"]}}");

        assertThat(result.error()).contains("unsupported result type 'string'");
    }

    @Test
    void reportsJsonThatIsNotAQueryResult() {
        QueryResult result = PrometheusClient.parse(200, "[{\"result\": 0}]");

        assertThat(result.samples()).isEmpty();
        assertThat(result.error()).isEqualTo("HTTP 200: answer is not a Prometheus query result");
    }

    @Test
    void shortensALongPrometheusError() {
        QueryResult result =
                PrometheusClient.parse(
                        422, "{\"status\":\"error\",\"error\":\"" + "e".repeat(100_000) + "\"}");

        assertThat(result.error())
                .startsWith("HTTP 422: eee")
                .endsWith("...")
                .hasSize("HTTP 422: ".length() + PrometheusClient.MAX_ERROR_CHARS + 3);
    }

    @Test
    void readsAnAnswerUpToTheLimit() {
        var body = new PrometheusClient.CappedBody(10);
        var subscription = new FakeSubscription();

        body.onSubscribe(subscription);
        body.onNext(List.of(bytes("01234"), bytes("56789")));
        body.onComplete();

        assertThat(body.getBody().toCompletableFuture()).isCompletedWithValue("0123456789");
        assertThat(subscription.cancelled).isFalse();
    }

    @Test
    void stopsReadingAnAnswerLargerThanTheLimit() {
        var body = new PrometheusClient.CappedBody(10);
        var subscription = new FakeSubscription();

        body.onSubscribe(subscription);
        body.onNext(List.of(bytes("01234"), bytes("567890")));
        body.onNext(List.of(bytes("more")));

        assertThat(body.getBody().toCompletableFuture())
                .isCompletedExceptionally()
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(PrometheusClient.AnswerTooLarge.class);
        assertThat(subscription.cancelled).isTrue();
    }

    /**
     * A Prometheus that sends its headers and then stalls in the body: the request's own timeout
     * covers only the headers, the query's deadline ends the wait, and the timed-out exchange is
     * aborted, so the connection is closed rather than held open for as long as Prometheus hangs.
     */
    @Test
    void closesTheConnectionOfAQueryThatTimedOutMidBody() throws Exception {
        try (ServerSocket stalling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            stalling.setSoTimeout(10_000);
            var client = new PrometheusClient(Duration.ofMillis(500));
            var address = "http://127.0.0.1:" + stalling.getLocalPort();
            var result = CompletableFuture.supplyAsync(() -> client.query(address, "up"));

            try (Socket connection = stalling.accept()) {
                connection.setSoTimeout(10_000);
                var in = connection.getInputStream();
                byte[] buffer = new byte[4096];
                int read = in.read(buffer); // the request
                assertThat(read).isPositive();
                connection
                        .getOutputStream()
                        .write(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                                        .getBytes(StandardCharsets.US_ASCII));
                connection.getOutputStream().flush();
                // End of stream means the client hung up; a connection held open ends this read
                // in a SocketTimeoutException instead.
                assertThat(in.read(buffer)).isEqualTo(-1);
            }
            assertThat(result.get(10, TimeUnit.SECONDS).error()).contains("timed out");
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Records what the body asked of the connection. */
    static final class FakeSubscription implements Flow.Subscription {
        boolean cancelled;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    static String vector(String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{},\"value\":[1893456000,"
                + value
                + "]}]}}";
    }
}
