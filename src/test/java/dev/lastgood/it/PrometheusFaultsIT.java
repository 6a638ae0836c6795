package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.analysis.Ledger;
import dev.lastgood.api.v1alpha1.MetricStatus;
import dev.lastgood.api.v1alpha1.Reasons;
import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.FakePrometheus.Fault;
import dev.lastgood.it.Manifests.RolloutOptions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A Prometheus that answers slowly, with garbage, with 5xx, or not at all (issue #7). As the README
 * says: every such measurement is inconclusive, counts toward {@code inconclusiveLimit} and then
 * rolls back; it never promotes, and the status stays small however many rounds it lasts.
 *
 * <p>RolloutIT covers a real Prometheus that stops, and the analysis unit tests cover how each
 * answer is parsed; this class covers the faults end to end, all at once, on one operator.
 */
class PrometheusFaultsIT extends Scenario {
    /** What the operator records for each fault, in its own words. */
    static final Map<Fault, String> SAYS = new EnumMap<>(Fault.class);

    static {
        SAYS.put(Fault.SLOW, "timed out after 5s");
        SAYS.put(Fault.HTML, "HTTP 200: answer is not JSON");
        SAYS.put(Fault.TRUNCATED, "HTTP 200: answer is not JSON");
        SAYS.put(Fault.WRONG_SHAPE, "HTTP 200: answer is not a Prometheus query result");
        SAYS.put(Fault.NAN, "value is NaN");
        SAYS.put(Fault.INFINITY, "value is Infinity");
        SAYS.put(Fault.HUGE_VECTOR, "answer is larger than");
        SAYS.put(Fault.HUGE_ERROR, "HTTP 422: eeeeeeeeee");
        SAYS.put(Fault.HTTP_500, "HTTP 500: answer is not JSON");
        SAYS.put(Fault.HTTP_503, "HTTP 503: too many queries");
    }

    /** Longest message a person should have to read in status. */
    static final int MAX_MESSAGE = 1024;

    static OperatorProcess operator;
    static long pid;
    static FakePrometheus prometheus;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeAll
    static void startAll() {
        prometheus = new FakePrometheus();
        operator = OperatorProcess.start("prometheus-faults-it");
        pid = operator.pid();
    }

    @AfterAll
    static void stopAll() {
        operator.close();
        prometheus.close();
    }

    @Test
    void everyFaultIsInconclusiveAndRollsBackAfterTheLimitWithoutPromoting() {
        Map<Fault, String> namespaces = new EnumMap<>(Fault.class);
        for (Fault f : Fault.values()) {
            namespaces.put(f, healthyOnV1(f.name(), prometheus.address(f), 2));
        }

        namespaces.values().forEach(n -> pointRolloutAt(n, "kv-v2"));

        for (Fault f : Fault.values()) {
            ns = namespaces.get(f);
            Rollout r = awaitRollout(ns, "kv", Duration.ofSeconds(90), phase("RolledBack"));
            assertThat(r.getStatus().message)
                    .as(f.name())
                    .contains("inconclusive or in error 3 time(s), limit 2")
                    .contains(SAYS.get(f));
            assertThat(r.getStatus().conditions)
                    .as(f.name())
                    .anySatisfy(c -> assertThat(c.getReason()).isEqualTo(Reasons.ROLLED_BACK));
            assertNeverPromoted(f.name(), r);
            assertThat(events(ns, Reasons.ROLLED_BACK))
                    .as(f.name())
                    .singleElement()
                    .satisfies(
                            e ->
                                    assertThat(e.getAction())
                                            .isEqualTo(Reasons.ANALYSIS_INCONCLUSIVE));
            assertBounded(f.name(), r);
        }
        assertUnharmed(operator, pid);
    }

    @Test
    void statusStaysBoundedOverManyRoundsAndNothingIsPromoted() {
        // Nobody listens on a port that was free a moment ago.
        String unreachable = "http://127.0.0.1:" + OperatorProcess.freePort();
        Map<String, String> addresses =
                Map.of(
                        "UNREACHABLE",
                        unreachable,
                        Fault.HUGE_ERROR.name(),
                        prometheus.address(Fault.HUGE_ERROR),
                        Fault.HTML.name(),
                        prometheus.address(Fault.HTML),
                        Fault.HTTP_503.name(),
                        prometheus.address(Fault.HTTP_503));
        Map<String, String> namespaces = new java.util.TreeMap<>();
        // The highest limit the schema allows: the analysis keeps going round.
        addresses.forEach(
                (fault, address) -> namespaces.put(fault, healthyOnV1(fault, address, 1000)));

        namespaces.values().forEach(n -> pointRolloutAt(n, "kv-v2"));

        int rounds = 20;
        await().alias(rounds + " inconclusive rounds of every Rollout; have " + namespaces)
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> namespaces.values().stream().allMatch(n -> inconclusive(n) >= rounds));
        namespaces.forEach(
                (fault, n) -> {
                    ns = n;
                    Rollout r = rollout(n, "kv");
                    assertThat(r.getStatus().phase).as(fault).isEqualTo("Progressing");
                    assertThat(r.getStatus().canaryWeight).as(fault).isEqualTo(10);
                    assertNeverPromoted(fault, r);
                    assertThat(events(n, Reasons.ANALYSIS_GATE_PASSED)).as(fault).isEmpty();
                    assertBounded(fault, r);
                });
        assertUnharmed(operator, pid);
    }

    /** A namespace whose Rollout kv runs v1, analysed against the address; v2 is ready. */
    private static String healthyOnV1(String fault, String address, int inconclusiveLimit) {
        String n =
                LocalCluster.namespace("pf-" + fault.toLowerCase().replace('_', '-'), "production");
        apply(Manifests.release(n, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(n, "kv-v2", "kv", "v2", "production"));
        apply(
                Manifests.rollout(
                        n,
                        "kv",
                        "kv",
                        "kv-v1",
                        new RolloutOptions(
                                1,
                                List.of("setWeight: 10", "analysis: {rounds: 1}", "setWeight: 100"),
                                address,
                                "1s",
                                inconclusiveLimit,
                                true,
                                300)));
        awaitRollout(n, "kv", Duration.ofSeconds(90), healthyOn("v1"));
        return n;
    }

    private static void assertNeverPromoted(String fault, Rollout r) {
        assertThat(r.getStatus().stable.version).as(fault).isEqualTo("v1");
        assertThat(r.getStatus().history)
                .as(fault)
                .extracting(h -> h.version)
                .containsExactly("v1");
        assertThat(events(r.getMetadata().getNamespace(), Reasons.PROMOTED))
                .as(fault + ": only v1 was promoted")
                .hasSize(1);
    }

    /** Lists capped, messages short, the whole status far below what the API server takes. */
    private static void assertBounded(String fault, Rollout r) {
        assertThat(r.getStatus().message).as(fault).hasSizeLessThanOrEqualTo(MAX_MESSAGE);
        assertThat(r.getStatus().conditions)
                .as(fault)
                .allSatisfy(c -> assertThat(c.getMessage()).hasSizeLessThanOrEqualTo(MAX_MESSAGE));
        assertThat(r.getStatus().analysis)
                .as(fault + ": the analysis that was recorded")
                .isNotNull();
        for (MetricStatus m : r.getStatus().analysis.metrics) {
            assertThat(m.measurements).as(fault).hasSizeLessThanOrEqualTo(Ledger.KEPT);
            assertThat(m.measurements)
                    .as(fault)
                    .allSatisfy(
                            x -> {
                                assertThat(x.message).hasSizeLessThanOrEqualTo(MAX_MESSAGE);
                                assertThat(x.result).isIn("Inconclusive", "Error");
                            });
        }
        assertThat(Serialization.asJson(r.getStatus())).as(fault).hasSizeLessThan(16 * 1024);
    }

    private static int inconclusive(String namespace) {
        Rollout r = rollout(namespace, "kv");
        if (r == null || r.getStatus() == null || r.getStatus().analysis == null) {
            return 0;
        }
        return r.getStatus().analysis.metrics.stream()
                .mapToInt(m -> m.inconclusive)
                .min()
                .orElse(0);
    }
}
