package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastgood.api.v1alpha1.Rollout;
import dev.lastgood.it.Manifests.RolloutOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** SIGKILL of the operator mid-rollout: it resumes from status, repeating and skipping nothing. */
class OperatorRestartIT extends Scenario {
    OperatorProcess operator;
    String ns;

    @RegisterExtension TestWatcher dump = dumpOnFailure(() -> operator, () -> ns);

    @BeforeEach
    void start() {
        operator = OperatorProcess.start("restart-it");
        ns = LocalCluster.namespace("restart", "production");
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    private void healthyThenPointAtV2(RolloutOptions options) {
        apply(Manifests.release(ns, "kv-v1", "kv", "v1", "production"));
        apply(Manifests.release(ns, "kv-v2", "kv", "v2", "production"));
        apply(Manifests.rollout(ns, "kv", "kv", "kv-v1", options));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v1"));
        pointRolloutAt(ns, "kv-v2");
    }

    @Test
    void killedDuringTimedPauseResumesSameStepWithSameDeadline() {
        RolloutOptions options =
                new RolloutOptions(
                        2,
                        List.of("setWeight: 20", "pause: {duration: 40s}", "setWeight: 100"),
                        null,
                        "2s",
                        2,
                        true,
                        120);
        healthyThenPointAtV2(options);
        Rollout paused = awaitRollout(ns, "kv", Duration.ofSeconds(60), phase("Paused"));
        Instant deadline = Instant.parse(paused.getStatus().stepStartedAt).plusSeconds(40);

        operator.kill();
        OperatorProcess.sleep(3000);
        operator.restart();
        Instant restarted = Instant.now();
        Rollout resumed =
                awaitRollout(
                        ns,
                        "kv",
                        Duration.ofSeconds(30),
                        r -> r.getStatus().currentStepIndex != null);
        // On a loaded machine the restart itself can take long; the facts checked are the same
        // either way: the step and its start are kept, not restarted.
        if (restarted.isBefore(deadline)) {
            assertThat(resumed.getStatus().currentStepIndex)
                    .isEqualTo(paused.getStatus().currentStepIndex);
            assertThat(resumed.getStatus().stepStartedAt)
                    .isEqualTo(paused.getStatus().stepStartedAt);
        }
        awaitRollout(
                ns,
                "kv",
                Duration.ofSeconds(60),
                r ->
                        r.getStatus().currentStepIndex != null && r.getStatus().currentStepIndex > 1
                                || "Healthy".equals(r.getStatus().phase));
        Instant ended = Instant.now();

        assertThat(ended).as("pause did not end early").isAfterOrEqualTo(deadline);
        Instant due = restarted.isAfter(deadline) ? restarted : deadline;
        assertThat(Duration.between(due, ended))
                .as("pause ended at its recorded deadline (or at once after a late restart)")
                .isLessThan(Duration.ofSeconds(6));
        awaitRollout(ns, "kv", Duration.ofSeconds(60), healthyOn("v2"));
        assertEachTransitionOnce();
    }

    @Test
    void killedDuringWeightStepsResumesWithoutApplyingAnythingTwice() {
        RolloutOptions options =
                new RolloutOptions(
                        4,
                        List.of(
                                "setWeight: 25",
                                "setWeight: 50",
                                "setWeight: 75",
                                "setWeight: 100"),
                        null,
                        "2s",
                        2,
                        true,
                        120);
        healthyThenPointAtV2(options);
        awaitRollout(
                ns,
                "kv",
                Duration.ofSeconds(60),
                r -> r.getStatus().canaryWeight != null && r.getStatus().canaryWeight >= 25);

        operator.kill();
        Rollout atKill = rollout(ns, "kv");
        OperatorProcess.sleep(2000);
        operator.restart();
        Rollout done = awaitRollout(ns, "kv", Duration.ofSeconds(90), healthyOn("v2"));

        assertThat(done.getStatus().history).extracting(h -> h.version).containsExactly("v1", "v2");
        assertThat(atKill.getStatus().currentStepIndex).isNotNull();
        // The route's spec changes once per distinct weight: 25, 50, 75, 100, then back to 0.
        assertThat(route(ns, "kv").getMetadata().getGeneration()).isLessThanOrEqualTo(1 + 5);
        assertEachTransitionOnce();
    }

    /** Every weight, promotion and start is announced at most once. */
    private void assertEachTransitionOnce() {
        // The promotion's event follows its status write: give it the moment it takes.
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                K.events().v1().events().inNamespace(ns).list().getItems().stream()
                                                .filter(e -> "Promoted".equals(e.getReason()))
                                                .count()
                                        >= 2);
        Map<String, Long> notes =
                K.events().v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(
                                e ->
                                        List.of(
                                                        "WeightChanged",
                                                        "Promoted",
                                                        "CanaryStarted",
                                                        "PauseEnded")
                                                .contains(e.getReason()))
                        .collect(
                                Collectors.groupingBy(
                                        e -> e.getReason() + ": " + e.getNote(),
                                        Collectors.counting()));
        assertThat(notes).allSatisfy((note, count) -> assertThat(count).as(note).isEqualTo(1L));
        assertThat(notes.keySet().stream().filter(n -> n.startsWith("Promoted")).count())
                .isEqualTo(2);
    }
}
