package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, end to end: the incident replay on the local cluster, exactly as a
 * newcomer runs it.
 */
class DemoIT {

    @Test
    void incidentReplayTellsTheWholeStoryAndSucceeds() {
        var result =
                LocalCluster.run(
                        List.of(
                                "bash",
                                LocalCluster.projectDir().resolve("hack/demo.sh").toString()),
                        null,
                        Map.of(),
                        900);

        System.out.println(result.out());
        System.err.println(result.err());
        assertThat(result.exit()).as("demo exit code").isZero();
        assertThat(result.out())
                .contains("EnvironmentMismatch")
                .contains("traffic stays on v1: route 100/0")
                .contains("canary v2 weight 0% -> 10%")
                .contains("canary v2 weight 10% -> 30%")
                .contains("canary v2 weight 30% -> 60%")
                .contains("promoted v2 (was v1)")
                .containsPattern("route 100% on v2 [0-9.]+s later")
                .contains("demo OK");
    }
}
