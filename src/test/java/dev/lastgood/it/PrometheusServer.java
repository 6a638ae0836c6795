package dev.lastgood.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package, installed by hack/prometheus.sh install) on loopback,
 * scraping one target every second.
 */
public final class PrometheusServer implements AutoCloseable {
    private final int port = OperatorProcess.freePort();
    private final String target;
    private final Path dir;
    private Process process;

    private PrometheusServer(String target) {
        this.target = target;
        this.dir = LocalCluster.projectDir().resolve("target/it-prometheus/" + port);
    }

    public static PrometheusServer start(String target) {
        PrometheusServer p = new PrometheusServer(target);
        p.launch();
        return p;
    }

    public String address() {
        return "http://127.0.0.1:" + port;
    }

    private void launch() {
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(
                    dir.resolve("prometheus.yml"),
                    String.join(
                            "\n",
                            "global:",
                            "  scrape_interval: 1s",
                            "  evaluation_interval: 1s",
                            "scrape_configs:",
                            "  - job_name: app",
                            "    static_configs:",
                            "      - targets: ['" + target + "']",
                            ""));
            ProcessBuilder pb =
                    new ProcessBuilder(
                            List.of(
                                    "prometheus",
                                    "--config.file=" + dir.resolve("prometheus.yml"),
                                    "--storage.tsdb.path=" + dir.resolve("data"),
                                    "--web.listen-address=127.0.0.1:" + port));
            pb.redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(dir.resolve("log.txt").toFile()));
            process = pb.start();
            awaitReady();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start prometheus (run hack/prometheus.sh install): " + e.getMessage(),
                    e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                var r =
                        http.send(
                                HttpRequest.newBuilder(URI.create(address() + "/-/ready"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            OperatorProcess.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready in 30s");
    }

    /** Stops it, as an outage would. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
