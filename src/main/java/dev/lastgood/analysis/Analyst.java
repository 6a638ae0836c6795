package dev.lastgood.analysis;

import dev.lastgood.api.v1alpha1.AnalysisSpec;
import dev.lastgood.api.v1alpha1.MetricSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Takes one analysis round: every metric queried and judged. */
public class Analyst {
    private final PrometheusClient prometheus;

    public Analyst(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    public List<Outcome> measure(AnalysisSpec spec, Map<String, String> placeholders) {
        List<Outcome> round = new ArrayList<>();
        for (MetricSpec metric : spec.metrics) {
            String query = QueryTemplate.render(metric.prometheus.query, placeholders);
            round.add(
                    Evaluator.evaluate(metric, prometheus.query(metric.prometheus.address, query)));
        }
        return round;
    }
}
