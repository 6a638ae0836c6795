package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.it.Manifests.RolloutOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Two operators with leader election on, as the chart runs them: one reconciles, the standby is
 * ready and takes over when the leader dies, and a leader that loses its Lease exits.
 */
class LeaderElectionIT extends Scenario {
    /** A Lease's MicroTime. */
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static final RolloutOptions DIRECT =
            new RolloutOptions(1, List.of("setWeight: 100"), null, "2s", 2, false, 120);

    OperatorProcess first;
    OperatorProcess second;
    String leaseNs;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> second, () -> ns);

    @AfterEach
    void stop() {
        for (OperatorProcess op : new OperatorProcess[] {first, second}) {
            if (op != null) {
                op.close();
            }
        }
    }

    @Test
    void standbyIsReadyAndTakesOverWhenTheLeaderDies() {
        leaseNs = LocalCluster.namespace("lease", null);
        first = OperatorProcess.start("leader-first", LocalCluster.kubeconfig(), env("first"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(holder()));
        second = OperatorProcess.start("leader-second", LocalCluster.kubeconfig(), env("second"));

        assertThat(ready(second)).as("a standby is ready").isTrue();
        assertThat(holder()).isEqualTo("first");
        ns = LocalCluster.namespace("lease-app", "production");
        deploy("kv-a");
        awaitRollout(ns, "kv-a", Duration.ofSeconds(60), healthyOn("v1"));

        first.kill();
        Instant killed = Instant.now();
        await().atMost(Duration.ofSeconds(40)).until(() -> "second".equals(holder()));
        deploy("kv-b");

        awaitRollout(ns, "kv-b", Duration.ofSeconds(60), healthyOn("v1"));
        assertThat(Duration.between(killed, Instant.now()))
                .as("the Lease expires after 15s")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void leaderThatLosesItsLeaseExits() {
        leaseNs = LocalCluster.namespace("lease", null);
        second = OperatorProcess.start("leader-lost", LocalCluster.kubeconfig(), env("only"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "only".equals(holder()));

        String now = MICROS.format(Instant.now());
        kubectlOk(
                "-n",
                leaseNs,
                "patch",
                "lease",
                "lastgood-operator",
                "--type=merge",
                "-p",
                "{\"spec\":{\"holderIdentity\":\"another\",\"acquireTime\":\""
                        + now
                        + "\",\"renewTime\":\""
                        + now
                        + "\",\"leaseDurationSeconds\":3600}}");

        assertThat(second.awaitExit(Duration.ofSeconds(30)))
                .as("exit code after losing the Lease")
                .isEqualTo(1);
        assertThat(second.log()).contains("lost the Lease lastgood-operator");
    }

    private Map<String, String> env(String identity) {
        return Map.of(
                "LASTGOOD_LEADER_ELECTION", "true",
                "LASTGOOD_LEASE_NAMESPACE", leaseNs,
                "HOSTNAME", identity);
    }

    private void deploy(String name) {
        apply(Manifests.release(ns, name + "-v1", name, "v1", "production"));
        apply(Manifests.rollout(ns, name, name, name + "-v1", DIRECT));
    }

    private String holder() {
        return LocalCluster.kubectl(
                        "-n",
                        leaseNs,
                        "get",
                        "lease",
                        "lastgood-operator",
                        "-o",
                        "jsonpath={.spec.holderIdentity}")
                .out();
    }

    private static boolean ready(OperatorProcess op) {
        try {
            var response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(op.url("/q/health/ready")))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
