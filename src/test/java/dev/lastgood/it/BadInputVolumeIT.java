package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.BadManifests.Mistake;
import dev.lastgood.it.BadManifests.Namespaces;
import dev.lastgood.it.BadManifests.Refusal;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A user's mistakes by the hundred (issue #7): each one is refused by kubectl with the field named,
 * or reported in a status condition with a reason from {@code Reasons}. None moves traffic, crashes
 * the operator or puts a stack trace in its log.
 */
class BadInputVolumeIT extends Scenario {
    static OperatorProcess operator;
    static long pid;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void start() {
        operator = OperatorProcess.start("bad-input-volume-it");
        pid = operator.pid();
    }

    @AfterAll
    static void stop() {
        operator.close();
    }

    @Test
    void everySchemaInvalidObjectIsRefusedByKubectlNamingItsField() {
        ns = LocalCluster.namespace("refused", "production");
        List<Refusal> rollouts = BadManifests.refusedRollouts(ns, 2);
        List<Refusal> releases = BadManifests.refusedReleases(ns, 2);

        var rolloutApply = applyAll(rollouts);
        var releaseApply = applyAll(releases);

        assertThat(rollouts.size() + releases.size()).isGreaterThanOrEqualTo(150);
        assertThat(rolloutApply.exit()).as("kubectl apply of the Rollouts").isNotZero();
        assertThat(releaseApply.exit()).as("kubectl apply of the BuildReleases").isNotZero();
        assertEachRefused(rollouts, rolloutApply);
        assertEachRefused(releases, releaseApply);
        assertThat(K.resources(Rollout.class).inNamespace(ns).list().getItems()).isEmpty();
        assertThat(K.resources(BuildRelease.class).inNamespace(ns).list().getItems()).isEmpty();
        assertUnharmed(operator, pid);
    }

    @Test
    void everySchemaValidMistakeIsReportedInStatusWithoutTrafficOrCrash() {
        Namespaces where =
                new Namespaces(
                        LocalCluster.namespace("mistakes", "production"),
                        LocalCluster.namespace("mistakes-stg", "staging"),
                        LocalCluster.namespace("mistakes-unl", null),
                        LocalCluster.namespace("mistakes-flip", "production"));
        ns = where.production();
        apply(Manifests.release(where.production(), "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(where.staging(), "kv-v1", "kv", "v1", "staging"));
        apply(Manifests.release(where.unlabeled(), "kv-v1", "kv", "v1", "production"));
        List<Mistake> relabeled = BadManifests.relabeledReleases(where.relabeled(), 15);
        applyMistakes(relabeled);
        kubectlOk(
                "label",
                "--overwrite",
                "namespace",
                where.relabeled(),
                "lastgood.dev/environment=staging");
        List<Mistake> mistakes = new ArrayList<>(relabeled);
        mistakes.addAll(BadManifests.unlabeledReleases(where.unlabeled(), 25));
        mistakes.addAll(BadManifests.rolloutMistakes(where, 4));

        applyMistakes(mistakes.subList(relabeled.size(), mistakes.size()));

        assertThat(mistakes.size()).isGreaterThanOrEqualTo(150);
        awaitEachReported(mistakes, Duration.ofSeconds(120));
        for (String n : List.of(where.production(), where.unlabeled())) {
            assertThat(K.apps().deployments().inNamespace(n).list().getItems())
                    .as("Deployments in %s", n)
                    .isEmpty();
            assertThat(K.resources(HTTPRoute.class).inNamespace(n).list().getItems())
                    .as("HTTPRoutes in %s", n)
                    .isEmpty();
        }
        assertUnharmed(operator, pid);
    }

    /** One kubectl for all: it goes on after a refusal and reports each on its own line. */
    private static LocalCluster.Result applyAll(List<Refusal> refusals) {
        return LocalCluster.kubectlWithInput(
                BadManifests.join(refusals.stream().map(Refusal::yaml).toList()),
                "apply",
                "-f",
                "-");
    }

    private static void assertEachRefused(List<Refusal> refusals, LocalCluster.Result result) {
        List<String> lines = result.err().lines().toList();
        Map<String, String> wrong = new HashMap<>();
        for (Refusal r : refusals) {
            List<String> about = lines.stream().filter(l -> l.contains(r.locator())).toList();
            if (about.size() != 1) {
                wrong.put(r.name(), about.size() + " error lines: " + about);
            } else if (!r.says().stream().allMatch(about.get(0)::contains)) {
                wrong.put(r.name(), "expected " + r.says() + " in: " + about.get(0));
            }
        }
        assertThat(wrong).as("refusals without a message naming the field").isEmpty();
        assertThat(result.out()).as("objects kubectl created").doesNotContain("created");
    }

    /** A few kubectl runs, each taking a slice, so none runs into kubectl's own timeout. */
    private static void applyMistakes(List<Mistake> mistakes) {
        for (int from = 0; from < mistakes.size(); from += 50) {
            apply(
                    BadManifests.join(
                            mistakes.subList(from, Math.min(from + 50, mistakes.size())).stream()
                                    .map(Mistake::yaml)
                                    .toList()));
        }
    }

    /** Waits until every object carries its condition; on timeout, lists those that do not. */
    private static void awaitEachReported(List<Mistake> mistakes, Duration timeout) {
        Map<String, String> missing = new HashMap<>();
        try {
            await().atMost(timeout)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> {
                                missing.clear();
                                missing.putAll(unreported(mistakes));
                                return missing.isEmpty();
                            });
        } catch (ConditionTimeoutException e) {
            assertThat(missing).as("objects without their condition").isEmpty();
        }
    }

    private static Map<String, String> unreported(List<Mistake> mistakes) {
        Map<String, List<Condition>> conditions = new HashMap<>();
        mistakes.stream()
                .map(Mistake::namespace)
                .distinct()
                .flatMap(BadInputVolumeIT::conditionsIn)
                .forEach(e -> conditions.put(e.getKey(), e.getValue()));
        Map<String, String> out = new HashMap<>();
        for (Mistake m : mistakes) {
            List<Condition> have =
                    conditions.getOrDefault(key(m.kind(), m.namespace(), m.name()), List.of());
            boolean reported =
                    have.stream()
                            .anyMatch(
                                    c ->
                                            m.reason().equals(c.getReason())
                                                    && c.getMessage() != null
                                                    && c.getMessage().contains(m.says()));
            if (!reported) {
                out.put(
                        m.kind() + " " + m.name(),
                        "want " + m.reason() + " saying '" + m.says() + "'; have " + summary(have));
            }
        }
        return out;
    }

    private static Stream<Map.Entry<String, List<Condition>>> conditionsIn(String namespace) {
        Stream<Map.Entry<String, List<Condition>>> rollouts =
                K.resources(Rollout.class).inNamespace(namespace).list().getItems().stream()
                        .map(
                                r ->
                                        Map.entry(
                                                key("Rollout", r),
                                                r.getStatus() == null
                                                        ? List.<Condition>of()
                                                        : r.getStatus().conditions));
        Stream<Map.Entry<String, List<Condition>>> releases =
                K.resources(BuildRelease.class).inNamespace(namespace).list().getItems().stream()
                        .map(
                                r ->
                                        Map.entry(
                                                key("BuildRelease", r),
                                                r.getStatus() == null
                                                        ? List.<Condition>of()
                                                        : r.getStatus().conditions));
        return Stream.concat(rollouts, releases);
    }

    /** List items may come without a kind, so the caller names it. */
    private static String key(String kind, HasMetadata o) {
        return key(kind, o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    private static String key(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }

    private static String summary(List<Condition> conditions) {
        return conditions.stream()
                .map(
                        c ->
                                c.getType()
                                        + "="
                                        + c.getStatus()
                                        + "("
                                        + c.getReason()
                                        + ": "
                                        + c.getMessage()
                                        + ")")
                .toList()
                .toString();
    }
}
