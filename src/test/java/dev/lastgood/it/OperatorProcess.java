package dev.lastgood.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged operator, run as its own process the way production runs it. */
public final class OperatorProcess implements AutoCloseable {
    private static final int READY_TIMEOUT_SECONDS = 180;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static int started;

    private final Path log;
    private final int port;
    private final Path kubeconfig;
    private final Map<String, String> env;
    private Process process;

    private OperatorProcess(String name, Path kubeconfig, Map<String, String> env) {
        this.kubeconfig = kubeconfig;
        this.env = env;
        this.port = freePort();
        this.log =
                LocalCluster.projectDir()
                        .resolve("target/it-logs/" + name + "-" + (++started) + ".log");
    }

    /** The operator with the local cluster's admin kubeconfig. */
    public static OperatorProcess start(String name) {
        return start(name, LocalCluster.kubeconfig(), Map.of());
    }

    /**
     * The operator under another identity (the kubeconfig's), with extra environment variables, as
     * a Deployment would set them.
     */
    public static OperatorProcess start(String name, Path kubeconfig, Map<String, String> env) {
        OperatorProcess op = new OperatorProcess(name, kubeconfig, env);
        op.forgetEarlierRuns();
        op.launch();
        return op;
    }

    /** A log name repeats from one test run to the next; a restart appends, a new process not. */
    private void forgetEarlierRuns() {
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void launch() {
        try {
            Files.createDirectories(log.getParent());
            String jar =
                    System.getProperty(
                            "lastgood.operatorJar",
                            LocalCluster.projectDir()
                                    .resolve("target/quarkus-app/quarkus-run.jar")
                                    .toString());
            ProcessBuilder pb =
                    new ProcessBuilder(
                            List.of(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-Dquarkus.http.port=" + port,
                                    "-Dquarkus.http.host=127.0.0.1",
                                    "-jar",
                                    jar));
            pb.environment().putAll(env);
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
            pb.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = pb.start();
            awaitReady();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady() {
        // Generous: on a loaded 2-core machine the JVM alone has taken over a minute to start.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "operator exited with " + process.exitValue() + "; log:\n" + logTail(80));
            }
            if (ready()) {
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException(
                "operator not ready within " + READY_TIMEOUT_SECONDS + "s; log:\n" + logTail(80));
    }

    /** Whether the readiness probe answers 200 now. */
    public boolean ready() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url("/q/health/ready")))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false; // not listening (yet, or any more)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The operating-system process running now; a restart starts another one. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The exit code, once the process has ended by itself within the timeout; else null. */
    public Integer awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? process.exitValue()
                    : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hooks, no last status write. */
    public void kill() {
        process.destroyForcibly();
        waitExit();
    }

    /** SIGSTOP: the process stays, frozen, as in a long GC pause or a suspended VM. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT: a frozen process runs on from where it stopped. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        var r =
                LocalCluster.run(
                        List.of("kill", "-" + name, Long.toString(process.pid())), null, Map.of());
        if (r.exit() != 0) {
            throw new IllegalStateException("kill -" + name + ": " + r.all());
        }
    }

    /** Starts a new process in place of a killed one, with the same log. */
    public void restart() {
        launch();
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitExit();
        }
    }

    private void waitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
