package dev.lastgood.metrics;

import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.StringWriter;

/** Serves the operator's metrics at {@code /metrics} in the Prometheus text format. */
@ApplicationScoped
public class MetricsRoute {
    void register(@Observes Router router, OperatorMetrics metrics) {
        router.get("/metrics")
                .handler(
                        ctx -> {
                            StringWriter out = new StringWriter();
                            try {
                                TextFormat.write004(out, metrics.registry().metricFamilySamples());
                            } catch (IOException e) {
                                ctx.fail(e);
                                return;
                            }
                            ctx.response()
                                    .putHeader("Content-Type", TextFormat.CONTENT_TYPE_004)
                                    .end(out.toString());
                        });
    }
}
