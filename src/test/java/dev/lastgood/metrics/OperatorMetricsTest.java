package dev.lastgood.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.Reasons;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

    @Test
    void exportsEveryRollbackAndRejectionReasonAtZeroBeforeTheFirstOne() {
        OperatorMetrics metrics = new OperatorMetrics();

        for (String reason : Reasons.ROLLBACK_CAUSES) {
            assertThat(value(metrics, "lastgood_rollbacks_total", reason)).isZero();
        }
        for (String reason : Reasons.REJECTIONS) {
            assertThat(value(metrics, "lastgood_releases_rejected_total", reason)).isZero();
        }
    }

    @Test
    void countsARollbackUnderItsReason() {
        OperatorMetrics metrics = new OperatorMetrics();

        metrics.rolledBack(Reasons.ABORTED);

        assertThat(value(metrics, "lastgood_rollbacks_total", Reasons.ABORTED)).isEqualTo(1.0);
        assertThat(value(metrics, "lastgood_rollbacks_total", Reasons.ANALYSIS_FAILED)).isZero();
    }

    @Test
    void replacesTheInfoSeriesOfARolloutWhenItsPhaseChanges() {
        OperatorMetrics metrics = new OperatorMetrics();

        metrics.rolloutState("ns", "kv", "Paused", "v1", "v2", 20);
        metrics.rolloutState("ns", "kv", "Healthy", "v2", null, 0);

        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_info",
                                        new String[] {
                                            "namespace", "rollout", "phase", "stable", "canary"
                                        },
                                        new String[] {"ns", "kv", "Paused", "v1", "v2"}))
                .isNull();
        assertThat(
                        metrics.registry()
                                .getSampleValue(
                                        "lastgood_rollout_info",
                                        new String[] {
                                            "namespace", "rollout", "phase", "stable", "canary"
                                        },
                                        new String[] {"ns", "kv", "Healthy", "v2", ""}))
                .isEqualTo(1.0);
    }

    private static Double value(OperatorMetrics metrics, String name, String reason) {
        return metrics.registry()
                .getSampleValue(name, new String[] {"reason"}, new String[] {reason});
    }
}
