package dev.lastgood.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metrics endpoint standing in for an application: every scrape counts 100 more requests per
 * version, of which the fraction the test sets answered 500. Error rate is then exactly what the
 * test says, as {@code rate()} over a few scrapes shows.
 */
public final class FakeApp implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Double> errorRates = new ConcurrentHashMap<>();
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();

    public FakeApp() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext(
                "/metrics",
                exchange -> {
                    byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
    }

    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Sets the fraction of a version's requests that fail, from now on. */
    public void errorRate(String version, double rate) {
        errorRates.put(version, rate);
        counts.putIfAbsent(version, new long[2]);
    }

    private synchronized String scrape() {
        StringBuilder sb = new StringBuilder("# TYPE app_requests_total counter\n");
        errorRates.forEach(
                (version, rate) -> {
                    long[] c = counts.computeIfAbsent(version, v -> new long[2]);
                    long errors = Math.round(100 * rate);
                    c[0] += 100 - errors;
                    c[1] += errors;
                    sb.append("app_requests_total{version=\"")
                            .append(version)
                            .append("\",code=\"200\"} ")
                            .append(c[0])
                            .append('\n');
                    sb.append("app_requests_total{version=\"")
                            .append(version)
                            .append("\",code=\"500\"} ")
                            .append(c[1])
                            .append('\n');
                });
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
