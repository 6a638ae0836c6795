package dev.lastgood.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrackStateTest {

    @Test
    void countsAvailablePodsOfTheWantedRelease() {
        TrackState track = new TrackState("v2", 3, 3, 3, 2, true);

        assertThat(track.availableOf("v2")).isEqualTo(2);
        assertThat(track.availableOf("v1")).isZero();
        assertThat(track.availableOf(null)).isZero();
    }

    @Test
    void countsNothingBeforeTheDeploymentControllerSawTheSpec() {
        TrackState track = new TrackState("v2", 3, 3, 3, 3, false);

        assertThat(track.availableOf("v2")).isZero();
        assertThat(track.rolledOut("v2", 3)).isFalse();
    }

    @Test
    void assumesPodsOfAnOlderTemplateAreTheAvailableOnes() {
        TrackState midRollout = new TrackState("v2", 3, 4, 2, 3, true);

        assertThat(midRollout.availableOf("v2")).isEqualTo(1);
        assertThat(midRollout.rolledOut("v2", 3)).isFalse();
    }

    @Test
    void isRolledOutWhenEveryWantedPodRunsTheReleaseAndNoOtherRemains() {
        assertThat(new TrackState("v2", 3, 3, 3, 3, true).rolledOut("v2", 3)).isTrue();
        assertThat(new TrackState("v2", 3, 3, 3, 3, true).rolledOut("v2", 2)).isFalse();
        assertThat(new TrackState("v2", 3, 4, 3, 4, true).rolledOut("v2", 3)).isFalse();
        assertThat(new TrackState("v2", 0, 0, 0, 0, true).rolledOut("v2", 0)).isTrue();
    }
}
