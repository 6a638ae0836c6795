package dev.lastgood.it;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The local control plane that {@code hack/local-cluster.sh up} runs: a real kube-apiserver, etcd,
 * controller-manager, scheduler and simulated nodes.
 */
public final class LocalCluster {
    private static KubernetesClient client;

    /**
     * Namespaces the tests created; deleted when the test JVM ends, so a reused cluster stays
     * clean.
     */
    private static final List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LocalCluster::deleteCreatedNamespaces));
    }

    /**
     * Deletes the namespaces the tests created so far. Called after each test class, so the next
     * class's operator does not carry on with Rollouts an earlier class left mid-canary.
     */
    public static void deleteCreatedNamespaces() {
        if (client == null) {
            return;
        }
        for (String n : List.copyOf(created)) {
            try {
                client.namespaces().withName(n).delete();
            } catch (RuntimeException e) {
                // best effort: a leftover namespace only costs the next class some noise
            }
            created.remove(n);
        }
    }

    private LocalCluster() {}

    public static Path projectDir() {
        return Path.of(System.getProperty("lastgood.projectDir", ".")).toAbsolutePath();
    }

    public static Path kubeconfig() {
        Path p =
                Path.of(
                        System.getProperty(
                                "lastgood.kubeconfig",
                                projectDir().resolve(".local-cluster/kubeconfig").toString()));
        if (!Files.exists(p)) {
            throw new IllegalStateException(
                    "no local cluster at " + p + ": run hack/local-cluster.sh up");
        }
        return p;
    }

    public static synchronized KubernetesClient client() {
        if (client == null) {
            try {
                Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
                client = new KubernetesClientBuilder().withConfig(config).build();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return client;
    }

    /** The kubectl built with the control plane, same release as the server. */
    public static Path kubectlBinary() {
        String cache =
                System.getenv()
                        .getOrDefault(
                                "LASTGOOD_CACHE",
                                System.getProperty("user.home") + "/.cache/lastgood");
        return Path.of(cache, "k8s-v1.37.2", "bin", "kubectl");
    }

    /** Output of a command. */
    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    public static Result kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    /** Runs kubectl with {@code stdin} as standard input (for {@code apply -f -}). */
    public static Result kubectlWithInput(String stdin, String... args) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                kubectlBinary().toString(),
                                "--kubeconfig",
                                kubeconfig().toString()));
        cmd.addAll(List.of(args));
        return run(cmd, stdin, Map.of());
    }

    public static Result run(List<String> cmd, String stdin, Map<String, String> env) {
        return run(cmd, stdin, env, 120);
    }

    public static Result run(
            List<String> cmd, String stdin, Map<String, String> env, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Path out = Files.createTempFile("lg-out", ".txt");
            Path err = Files.createTempFile("lg-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops only the kube-apiserver of the local cluster ({@code hack/local-cluster.sh stop
     * kube-apiserver}); etcd and the API server's clients keep running.
     */
    public static void stopApiServer() {
        clusterScript("stop", "kube-apiserver");
    }

    /**
     * Starts the kube-apiserver again and returns once it is ready, its clients run and the nodes
     * are Ready ({@code hack/local-cluster.sh start kube-apiserver}).
     */
    public static void startApiServer() {
        clusterScript("start", "kube-apiserver");
    }

    private static void clusterScript(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(projectDir().resolve("hack/local-cluster.sh").toString());
        cmd.addAll(List.of(args));
        Result r = run(cmd, null, Map.of(), 180);
        if (r.exit() != 0) {
            throw new IllegalStateException(
                    "hack/local-cluster.sh " + String.join(" ", args) + " failed: " + r.all());
        }
    }

    private static KubernetesClient probe;

    /**
     * Whether the API server answers {@code /readyz} with ok right now. Asked with a client that
     * does not retry, so the answer is about this moment, not about the last few seconds.
     */
    public static boolean apiServerReady() {
        try {
            String base = probe().getMasterUrl().toString().replaceAll("/+$", "");
            return "ok".equals(probe().raw(base + "/readyz"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A client that does not retry and times out within seconds: what it reads is the API server's
     * state now. After an API server restart the shared {@link #client()} can lag for tens of
     * seconds in its own retry backoff, too long to time what happens after the return.
     */
    public static synchronized KubernetesClient probe() {
        if (probe == null) {
            try {
                Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
                config.setRequestRetryBackoffLimit(0);
                config.setRequestTimeout(2000);
                config.setConnectionTimeout(1000);
                probe = new KubernetesClientBuilder().withConfig(config).build();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return probe;
    }

    /** A fresh namespace, labeled with an environment when one is given. */
    public static String namespace(String prefix, String environment) {
        String name =
                prefix
                        + "-"
                        + Integer.toHexString(
                                ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        NamespaceBuilder b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (environment != null) {
            b.editMetadata().addToLabels("lastgood.dev/environment", environment).endMetadata();
        }
        Namespace ns = b.build();
        client().resource(ns).create();
        created.add(name);
        return name;
    }
}
