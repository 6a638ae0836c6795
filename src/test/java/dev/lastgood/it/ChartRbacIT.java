package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The chart's RBAC is enough, and every rule of it is needed: the chart is rendered and applied,
 * and the packaged operator runs under a token of the chart's ServiceAccount with the environment
 * the chart's Deployment gives it (leader election included). There is no container runtime, so the
 * Deployment's own pods never run; the operator process stands in for them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartRbacIT extends Scenario {
    private static final String RELEASE = "lastgood";
    private static final String FIELD_MANAGER = "chart-rbac-it";
    private static final RolloutOptions CANARY =
            new RolloutOptions(
                    2,
                    List.of("setWeight: 50", "pause: {duration: 2s}", "setWeight: 100"),
                    null,
                    "2s",
                    2,
                    true,
                    120);

    static String system;
    static List<ObjectNode> rendered;
    static OperatorProcess operator;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void installChartAndRunOperatorAsItsServiceAccount() {
        system = restrictedNamespace("lg-system");
        rendered = Chart.objects(Chart.template(RELEASE, system));
        applyServerSide(Chart.yaml(rendered));
        operator = operatorAs(system);
    }

    @AfterAll
    static void uninstall() {
        if (operator != null) {
            operator.close();
        }
        LocalCluster.kubectl("delete", "namespace", "--wait=false", "-l", "chart-rbac-it");
        LocalCluster.kubectl(
                "delete",
                "clusterrole,clusterrolebinding",
                RELEASE,
                RELEASE + "-namespaces",
                "--ignore-not-found");
    }

    @Test
    @Order(1)
    void chartDeploymentIsAdmittedUnderPodSecurityRestricted() {
        await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> {
                            Deployment d = deployment(system, RELEASE);
                            return d.getStatus() != null
                                    && Integer.valueOf(2).equals(d.getStatus().getReadyReplicas());
                        });
    }

    @Test
    @Order(2)
    void rolloutGoesHealthyAndThroughACanaryUnderTheChartsIdentity() {
        ns = appNamespace("rbac");

        firstRelease("v1");
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        pointRolloutAt(ns, "kv-v2");
        Rollout done = awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v2"));

        assertThat(done.getStatus().history).extracting(h -> h.version).contains("v1", "v2");
        assertThat(routeCanaryWeight(ns, "kv")).isZero();
        assertThat(events(ns, "Promoted")).as("events.k8s.io Events recorded").hasSize(2);
        assertThat(leaseHolder(system)).as("the Lease the chart's Role allows").isNotBlank();
        assertThat(operator.log()).doesNotContain("Forbidden", "forbidden");
    }

    @Test
    @Order(3)
    void withoutPatchOnDeploymentsTheOperatorCannotProgressARollout() {
        ObjectNode full = Chart.one(rendered, "ClusterRole", RELEASE);
        ObjectNode lacking = withoutVerb(full, "deployments", "patch");
        applyServerSide(Chart.yaml(List.of(lacking)));
        awaitCan(false, "patch", "deployments");
        ns = appNamespace("rbac-missing");
        int logStart = operator.log().length();

        try {
            apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
            apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", CANARY));

            await().during(Duration.ofSeconds(20))
                    .atMost(Duration.ofSeconds(25))
                    .until(() -> !isHealthy(rollout(ns, "kv")));
            assertThat(deployment(ns, "kv-stable")).isNull();
            assertThat(operator.log().substring(logStart))
                    .containsIgnoringCase("forbidden")
                    .contains("deployments");
        } finally {
            applyServerSide(Chart.yaml(List.of(full)));
            awaitCan(true, "patch", "deployments");
        }

        // Restored: the next pass (here prompted by an annotation) carries the Rollout through.
        kubectlOk("-n", ns, "annotate", "rollout", "kv", "rbac-it/touched=1", "--overwrite");
        awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v1"));
    }

    @Test
    @Order(4)
    void namespacedModeReconcilesOnlyTheListedNamespaces() {
        operator.close();
        String watched = appNamespace("rbac-watched");
        String other = appNamespace("rbac-other");
        String system2 = restrictedNamespace("lg-ns-system");
        String[] mode = {"--set", "watchNamespaces={" + watched + "}"};
        applyServerSide(Chart.yaml(Chart.objects(Chart.template(RELEASE, system2, mode))));
        operator = operatorAs(system2, mode);
        ns = watched;

        for (String namespace : List.of(watched, other)) {
            apply(Manifests.release(namespace, "kv-v1", "kv", "v1", "production"));
            apply(Manifests.rollout(namespace, "kv", "kv", "kv-v1", CANARY));
        }

        awaitRollout(watched, "kv", Duration.ofSeconds(90), healthyOn("v1"));
        Rollout untouched = rollout(other, "kv");
        // The schema defaults status.observedGeneration to 0 on create; nothing else is set
        // unless an operator reconciled the Rollout.
        assertThat(untouched.getStatus() == null ? null : untouched.getStatus().phase)
                .as("a namespace outside watchNamespaces")
                .isNull();
        assertThat(operator.log()).doesNotContain("Forbidden", "forbidden");
    }

    private void firstRelease(String version) {
        apply(Manifests.release(ns, "kv-" + version, "kv", version, "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-" + version, CANARY));
        awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn(version));
    }

    private static boolean isHealthy(Rollout r) {
        return r != null && r.getStatus() != null && "Healthy".equals(r.getStatus().phase);
    }

    /** A production namespace, deleted after the class. */
    private static String appNamespace(String prefix) {
        String name = LocalCluster.namespace(prefix, "production");
        kubectlOk("label", "namespace", name, "chart-rbac-it=app");
        return name;
    }

    /** A namespace where Pod Security admission refuses anything less than "restricted". */
    private static String restrictedNamespace(String prefix) {
        String name = LocalCluster.namespace(prefix, null);
        kubectlOk(
                "label",
                "namespace",
                name,
                "pod-security.kubernetes.io/enforce=restricted",
                "chart-rbac-it=system");
        return name;
    }

    private static void applyServerSide(String yaml) {
        var r =
                LocalCluster.kubectlWithInput(
                        yaml,
                        "apply",
                        "--server-side",
                        "--force-conflicts",
                        "--field-manager=" + FIELD_MANAGER,
                        "-f",
                        "-");
        assertThat(r.exit()).as("kubectl apply: %s", r.all()).isZero();
    }

    /**
     * The packaged operator with a kubeconfig holding a token of the chart's ServiceAccount, and
     * the environment of the chart's Deployment (the downward API resolved by hand).
     */
    private static OperatorProcess operatorAs(String namespace, String... chartArgs) {
        Map<String, String> env = deploymentEnv(namespace, chartArgs);
        env.put("HOSTNAME", "chart-rbac-it-" + namespace);
        return OperatorProcess.start("chart-rbac-it", serviceAccountKubeconfig(namespace), env);
    }

    private static Map<String, String> deploymentEnv(String namespace, String... chartArgs) {
        JsonNode deployment =
                Chart.one(
                        Chart.objects(Chart.template(RELEASE, namespace, chartArgs)),
                        "Deployment",
                        RELEASE);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else if ("metadata.namespace"
                    .equals(e.at("/valueFrom/fieldRef/fieldPath").asText())) {
                env.put(name, namespace);
            } else {
                throw new AssertionError("cannot resolve env " + e + " outside a pod");
            }
        }
        // JVM sizing is for the container's memory limit; a test process runs without one.
        env.remove("JAVA_TOOL_OPTIONS");
        assertThat(env).containsEntry("LASTGOOD_LEADER_ELECTION", "true");
        return env;
    }

    private static Path serviceAccountKubeconfig(String namespace) {
        var token =
                LocalCluster.kubectl("-n", namespace, "create", "token", RELEASE, "--duration=2h");
        assertThat(token.exit()).as("kubectl create token: %s", token.err()).isZero();
        try {
            Config admin = Config.fromKubeconfig(Files.readString(LocalCluster.kubeconfig()));
            String kubeconfig =
                    """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: local
                      cluster:
                        server: %s
                        certificate-authority-data: %s
                    users:
                    - name: %s
                      user:
                        token: %s
                    contexts:
                    - name: operator
                      context: {cluster: local, user: %s, namespace: %s}
                    current-context: operator
                    """
                            .formatted(
                                    admin.getMasterUrl(),
                                    admin.getCaCertData(),
                                    RELEASE,
                                    token.out().trim(),
                                    RELEASE,
                                    namespace);
            Path file = LocalCluster.projectDir().resolve("target/it-kubeconfig-" + namespace);
            Files.writeString(file, kubeconfig);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode withoutVerb(ObjectNode clusterRole, String resource, String verb) {
        ObjectNode copy = clusterRole.deepCopy();
        for (JsonNode rule : copy.path("rules")) {
            if (rule.path("resources").toString().contains("\"" + resource + "\"")) {
                ArrayNode verbs = (ArrayNode) rule.path("verbs");
                for (int i = verbs.size() - 1; i >= 0; i--) {
                    if (verb.equals(verbs.get(i).asText())) {
                        verbs.remove(i);
                    }
                }
            }
        }
        assertThat(copy.toString()).isNotEqualTo(clusterRole.toString());
        return copy;
    }

    /** Waits until the authorizer answers as expected for the chart's ServiceAccount. */
    private static void awaitCan(boolean allowed, String verb, String resource) {
        String sa = "system:serviceaccount:" + system + ":" + RELEASE;
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                LocalCluster.kubectl(
                                                "auth",
                                                "can-i",
                                                verb,
                                                resource,
                                                "--all-namespaces",
                                                "--as=" + sa)
                                        .out()
                                        .trim()
                                        .equals(allowed ? "yes" : "no"));
    }

    private static String leaseHolder(String namespace) {
        return LocalCluster.kubectl(
                        "-n",
                        namespace,
                        "get",
                        "lease",
                        "lastgood-operator",
                        "-o",
                        "jsonpath={.spec.holderIdentity}")
                .out();
    }
}
