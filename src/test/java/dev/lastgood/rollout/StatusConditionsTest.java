package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusConditionsTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00.750Z");
    static final Instant T1 = T0.plus(Duration.ofMinutes(5));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Healthy,     True,  False, False, False, False",
        "Progressing, False, True,  False, True,  False",
        "Paused,      False, True,  False, True,  False",
        "RolledBack,  False, False, True,  False, True",
        "Rejected,    False, False, True,  False, True",
        "Degraded,    False, False, True,  False, True",
    })
    void derivesConditionsFromThePhase(
            String phase,
            String ready,
            String progressing,
            String degraded,
            String reconciling,
            String stalled) {
        List<Condition> conditions = new ArrayList<>();

        StatusConditions.fromPhase(conditions, phase, "because", 3, T0);

        assertThat(status(conditions, StatusConditions.READY)).isEqualTo(ready);
        assertThat(status(conditions, StatusConditions.PROGRESSING)).isEqualTo(progressing);
        assertThat(status(conditions, StatusConditions.DEGRADED)).isEqualTo(degraded);
        assertThat(status(conditions, StatusConditions.RECONCILING)).isEqualTo(reconciling);
        assertThat(status(conditions, StatusConditions.STALLED)).isEqualTo(stalled);
        assertThat(conditions)
                .allSatisfy(
                        c -> {
                            assertThat(c.getReason()).isEqualTo(phase);
                            assertThat(c.getMessage()).isEqualTo("because");
                            assertThat(c.getObservedGeneration()).isEqualTo(3L);
                            assertThat(c.getLastTransitionTime()).isEqualTo("2030-01-01T00:00:00Z");
                        });
    }

    @Test
    void keepsTheTransitionTimeWhileTheStatusHolds() {
        List<Condition> conditions = new ArrayList<>();
        StatusConditions.fromPhase(conditions, Phase.PROGRESSING, "step 0", 1, T0);

        StatusConditions.fromPhase(conditions, Phase.PAUSED, "step 1", 2, T1);

        Condition progressing = condition(conditions, StatusConditions.PROGRESSING);
        assertThat(progressing.getLastTransitionTime()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(progressing.getReason()).isEqualTo(Phase.PAUSED);
        assertThat(progressing.getMessage()).isEqualTo("step 1");
        assertThat(progressing.getObservedGeneration()).isEqualTo(2L);
        assertThat(conditions).hasSize(5);
    }

    @Test
    void movesTheTransitionTimeWhenTheStatusFlips() {
        List<Condition> conditions = new ArrayList<>();
        StatusConditions.fromPhase(conditions, Phase.PROGRESSING, "step 0", 1, T0);

        StatusConditions.fromPhase(conditions, Phase.HEALTHY, "done", 1, T1);

        assertThat(condition(conditions, StatusConditions.READY).getLastTransitionTime())
                .isEqualTo("2030-01-01T00:05:00Z");
        assertThat(condition(conditions, StatusConditions.PROGRESSING).getLastTransitionTime())
                .isEqualTo("2030-01-01T00:05:00Z");
        assertThat(condition(conditions, StatusConditions.DEGRADED).getLastTransitionTime())
                .isEqualTo("2030-01-01T00:00:00Z");
    }

    @Test
    void setWritesAnEmptyMessageForNull() {
        List<Condition> conditions = new ArrayList<>();

        StatusConditions.set(
                conditions, StatusConditions.RELEASE_VERIFIED, true, "Verified", null, 1, T0);

        assertThat(condition(conditions, StatusConditions.RELEASE_VERIFIED))
                .satisfies(
                        c -> {
                            assertThat(c.getStatus()).isEqualTo("True");
                            assertThat(c.getMessage()).isEmpty();
                        });
    }

    @Test
    void setLeavesOtherConditionsAlone() {
        List<Condition> conditions = new ArrayList<>();
        StatusConditions.fromPhase(conditions, Phase.HEALTHY, "ok", 1, T0);

        StatusConditions.set(
                conditions, StatusConditions.RELEASE_VERIFIED, false, "ImageNotPinned", "x", 1, T1);

        assertThat(conditions).hasSize(6);
        assertThat(status(conditions, StatusConditions.READY)).isEqualTo("True");
    }

    static String status(List<Condition> conditions, String type) {
        return condition(conditions, type).getStatus();
    }

    static Condition condition(List<Condition> conditions, String type) {
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type));
    }
}
