package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the chart renders, without a cluster: the kustomize base and the alert file agree with it,
 * and its RBAC stays least-privilege in both modes.
 */
class ChartTemplateIT {
    private static final String NS = "lastgood-system";

    @Test
    void kustomizeBaseHoldsTheSameObjectsAsTheChartsDefaults() {
        var chart = withoutHelmLabels(Chart.objects(Chart.template("lastgood", NS)));
        var kustomize =
                LocalCluster.run(
                        List.of(
                                LocalCluster.kubectlBinary().toString(),
                                "kustomize",
                                LocalCluster.projectDir().resolve("config/default").toString()),
                        null,
                        Map.of());
        assertThat(kustomize.exit()).as("kubectl kustomize: %s", kustomize.err()).isZero();

        var base = new ArrayList<>(Chart.objects(kustomize.out()));
        ObjectNode namespace = Chart.one(base, "Namespace", NS);
        base.remove(namespace);

        // Kustomize prints the CRDs' 100.0 as 100: compare numbers by value.
        assertThat(byName(base.stream().map(ChartTemplateIT::integral).toList()))
                .isEqualTo(byName(chart.stream().map(ChartTemplateIT::integral).toList()));
        assertThat(namespace.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText())
                .isEqualTo("restricted");
    }

    @Test
    void prometheusRuleHoldsTheRulesOfTheAlertFile() throws IOException {
        var rendered =
                Chart.objects(
                        Chart.template("lastgood", NS, "--set", "prometheusRule.enabled=true"));
        JsonNode file =
                Chart.YAML.readTree(
                        Files.readString(
                                LocalCluster.projectDir()
                                        .resolve("config/prometheus/alerts.yaml")));

        JsonNode groups = Chart.one(rendered, "PrometheusRule", "lastgood").at("/spec/groups");

        assertThat(groups)
                .as("config/prometheus/alerts.yaml and helm/lastgood/templates/_alerts.tpl differ")
                .isEqualTo(file.get("groups"));
    }

    @Test
    void clusterWideRbacGrantsNoWildcardsSecretsPodsOrDeletes() {
        var objects = Chart.objects(Chart.template("lastgood", NS));

        List<JsonNode> rules = rules(objects);

        assertThat(Chart.ofKind(objects, "ClusterRole")).hasSize(1);
        assertThat(rules).isNotEmpty().allSatisfy(ChartTemplateIT::isLeastPrivilege);
    }

    @Test
    void namespacedModeGrantsRolesOnlyInTheListedNamespaces() {
        var objects =
                Chart.objects(
                        Chart.template("lastgood", NS, "--set", "watchNamespaces={shop,billing}"));

        var roles = Chart.ofKind(objects, "Role");
        var clusterRole = Chart.one(objects, "ClusterRole", "lastgood-namespaces");
        var env =
                Chart.one(objects, "Deployment", "lastgood")
                        .at("/spec/template/spec/containers/0/env");

        assertThat(roles)
                .extracting(r -> r.at("/metadata/namespace").asText())
                .containsExactlyInAnyOrder("shop", "billing", NS);
        assertThat(Chart.ofKind(objects, "RoleBinding")).hasSize(3);
        assertThat(Chart.ofKind(objects, "ClusterRole")).hasSize(1);
        assertThat(clusterRole.at("/rules").toString())
                .isEqualTo(
                        "[{\"apiGroups\":[\"\"],\"resources\":[\"namespaces\"],"
                                + "\"verbs\":[\"get\",\"list\",\"watch\"]}]");
        assertThat(envValue(env, "QUARKUS_OPERATOR_SDK_CONTROLLERS_ROLLOUT_NAMESPACES"))
                .isEqualTo("shop,billing");
        assertThat(envValue(env, "QUARKUS_OPERATOR_SDK_CONTROLLERS_BUILDRELEASE_NAMESPACES"))
                .isEqualTo("shop,billing");
        assertThat(rules(objects)).allSatisfy(ChartTemplateIT::isLeastPrivilege);
    }

    @Test
    void moreThanOneReplicaWithoutLeaderElectionIsRefused() {
        var r =
                LocalCluster.run(
                        List.of(
                                Chart.helm().toString(),
                                "template",
                                "lastgood",
                                Chart.dir().toString(),
                                "--set",
                                "leaderElection.enabled=false"),
                        null,
                        Map.of());

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("replicas > 1 needs leaderElection.enabled=true");
    }

    private static void isLeastPrivilege(JsonNode rule) {
        String text = rule.toString();
        String verbs = rule.path("verbs").toString();
        assertThat(text).doesNotContain("\"*\"", "secrets", "pods", "\"delete", "escalate");
        if (!rule.path("resources").toString().equals("[\"leases\"]")) {
            assertThat(verbs)
                    .as("server-side apply is PATCH; nothing is PUT")
                    .doesNotContain("update");
            return;
        }
        // Leases: create (which cannot be limited by name), and the rest on the one Lease only.
        if (!verbs.equals("[\"create\"]")) {
            assertThat(verbs).isEqualTo("[\"get\",\"update\",\"patch\"]");
            assertThat(rule.path("resourceNames").toString()).isEqualTo("[\"lastgood-operator\"]");
        }
    }

    private static List<JsonNode> rules(List<ObjectNode> objects) {
        List<JsonNode> rules = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            Chart.ofKind(objects, kind).forEach(r -> r.path("rules").forEach(rules::add));
        }
        return rules;
    }

    private static String envValue(JsonNode env, String name) {
        for (JsonNode e : env) {
            if (name.equals(e.path("name").asText())) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static List<ObjectNode> withoutHelmLabels(List<ObjectNode> objects) {
        for (ObjectNode o : objects) {
            for (String path : List.of("/metadata/labels", "/spec/template/metadata/labels")) {
                if (o.at(path) instanceof ObjectNode labels) {
                    labels.remove(List.of("helm.sh/chart", "app.kubernetes.io/managed-by"));
                }
            }
        }
        return objects;
    }

    /** The node with every whole number as a long, however it was written. */
    private static ObjectNode integral(ObjectNode node) {
        node.properties().forEach(e -> e.setValue(integralValue(e.getValue())));
        return node;
    }

    private static JsonNode integralValue(JsonNode node) {
        if (node instanceof ObjectNode o) {
            return integral(o);
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, integralValue(a.get(i)));
            }
            return a;
        }
        if (node.isNumber() && node.asDouble() == Math.rint(node.asDouble())) {
            return LongNode.valueOf(node.asLong());
        }
        return node;
    }

    private static Map<String, JsonNode> byName(List<ObjectNode> objects) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (ObjectNode o : objects) {
            out.put(
                    o.path("kind").asText()
                            + " "
                            + o.at("/metadata/namespace").asText()
                            + "/"
                            + o.at("/metadata/name").asText(),
                    o);
        }
        return out;
    }
}
