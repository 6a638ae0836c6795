package dev.lastgood.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Prometheus HTTP API that answers badly, on 127.0.0.1 at an ephemeral port. Each {@link Fault}
 * has its own base path, so one server serves every fault at once:
 * http://127.0.0.1:PORT/FAULT/api/v1/query.
 */
public final class FakePrometheus implements AutoCloseable {
    /** How long a slow answer takes: beyond the operator's 5 s timeout for a whole answer. */
    static final int SLOW_MILLIS = 8_000;

    /** Ways to answer an instant query badly. */
    public enum Fault {
        /** A well-formed passing answer, but only after {@link #SLOW_MILLIS}. */
        SLOW,
        /** An HTML page, as a proxy in front of Prometheus might send. */
        HTML,
        /** JSON cut off in the middle. */
        TRUNCATED,
        /** JSON, but not the shape of a query result. */
        WRONG_SHAPE,
        NAN,
        INFINITY,
        /** A vector of 100,000 series (about 7 MB). */
        HUGE_VECTOR,
        /**
         * A Prometheus error whose text is 512 KiB long: within the size limit of an answer, but
         * the five measurements status keeps would not fit in one object.
         */
        HUGE_ERROR,
        HTTP_500,
        /** 503 with a Prometheus error body, as an overloaded Prometheus answers. */
        HTTP_503;

        String path() {
            return "/" + name().toLowerCase().replace('_', '-');
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    public FakePrometheus() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // A slow answer must not hold up the others.
        server.setExecutor(threads);
        for (Fault f : Fault.values()) {
            server.createContext(f.path(), exchange -> answer(f, exchange));
        }
        server.start();
    }

    /** The address to give a metric's {@code prometheus.address}. */
    public String address(Fault fault) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + fault.path();
    }

    private static void answer(Fault fault, HttpExchange exchange) throws IOException {
        switch (fault) {
            case SLOW -> {
                OperatorProcess.sleep(SLOW_MILLIS);
                send(exchange, 200, vector("0"));
            }
            case HTML -> send(exchange, 200, "<html><body><h1>Sign in</h1></body></html>");
            case TRUNCATED -> send(exchange, 200, vector("0").substring(0, 60));
            case WRONG_SHAPE -> send(exchange, 200, "[{\"result\": 0}]");
            case NAN -> send(exchange, 200, vector("NaN"));
            case INFINITY -> send(exchange, 200, vector("+Inf"));
            case HUGE_VECTOR -> send(exchange, 200, hugeVector());
            case HUGE_ERROR ->
                    send(
                            exchange,
                            422,
                            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\""
                                    + "e".repeat(512 << 10)
                                    + "\"}");
            case HTTP_500 -> send(exchange, 500, "internal server error");
            case HTTP_503 ->
                    send(
                            exchange,
                            503,
                            "{\"status\":\"error\",\"errorType\":\"unavailable\","
                                    + "\"error\":\"too many queries\"}");
        }
    }

    private static String vector(String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{},\"value\":[1893456000,\""
                + value
                + "\"]}]}}";
    }

    private static String hugeVector() {
        StringBuilder b =
                new StringBuilder(
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        for (int i = 0; i < 100_000; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{\"metric\":{\"pod\":\"p")
                    .append(i)
                    .append("\"},\"value\":[1893456000,\"0\"]}");
        }
        return b.append("]}}").toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(status, bytes.length);
            out.write(bytes);
        } catch (IOException e) {
            // the operator gave up waiting and hung up: that is the point of some faults
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
