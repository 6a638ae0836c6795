package dev.lastgood.it;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An auditor independent of the operator: it watches every HTTPRoute of the cluster from the test
 * JVM and keeps, per route, each version of its spec it was told about (generation and canary
 * weight). A watch delivers every write in order, so a jump of more than one generation between two
 * versions means the auditor missed one, which {@link #gaps} reports instead of hiding.
 */
public final class RouteAudit implements AutoCloseable {
    /** One version of a route's spec as the watch delivered it. */
    public record Seen(Instant at, long generation, int canaryWeight) {}

    private final KubernetesClient client;
    private final SharedIndexInformer<HTTPRoute> informer;
    private final Map<String, List<Seen>> routes = new ConcurrentHashMap<>();

    private RouteAudit() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(LocalCluster.kubeconfig()));
            // Reconnect fast after an API server outage: the audit must catch up, not lag 32 s.
            config.setWatchReconnectInterval(250);
            client = new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        informer =
                client.resources(HTTPRoute.class)
                        .inAnyNamespace()
                        .inform(
                                new ResourceEventHandler<>() {
                                    @Override
                                    public void onAdd(HTTPRoute r) {
                                        record(r);
                                    }

                                    @Override
                                    public void onUpdate(HTTPRoute before, HTTPRoute r) {
                                        record(r);
                                    }

                                    @Override
                                    public void onDelete(HTTPRoute r, boolean unknown) {}
                                });
    }

    /** Starts watching; returns once the first list is in. */
    public static RouteAudit start() {
        return new RouteAudit();
    }

    private void record(HTTPRoute r) {
        List<Seen> seen =
                routes.computeIfAbsent(
                        r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
                        k -> new CopyOnWriteArrayList<>());
        long generation = r.getMetadata().getGeneration();
        if (!seen.isEmpty() && seen.get(seen.size() - 1).generation() == generation) {
            return; // a status or metadata change, or a resync: same spec
        }
        var refs = r.getSpec().getRules().get(0).getBackendRefs();
        int canary =
                refs.stream()
                        .filter(b -> b.getName().endsWith("-canary"))
                        .mapToInt(b -> b.getWeight() == null ? 1 : b.getWeight())
                        .findFirst()
                        .orElse(-1);
        seen.add(new Seen(Instant.now(), generation, canary));
    }

    /** The canary weights of route {@code ns/name} in the order they were written. */
    public List<Integer> weights(String ns, String name) {
        return history(ns, name).stream().map(Seen::canaryWeight).toList();
    }

    public List<Seen> history(String ns, String name) {
        return List.copyOf(routes.getOrDefault(ns + "/" + name, List.of()));
    }

    /** The generations the auditor did not see (a watch gap), as "from..to" ranges. */
    public List<String> gaps(String ns, String name) {
        List<String> gaps = new ArrayList<>();
        List<Seen> seen = history(ns, name);
        if (!seen.isEmpty() && seen.get(0).generation() != 1) {
            gaps.add("first seen at generation " + seen.get(0).generation());
        }
        for (int i = 1; i < seen.size(); i++) {
            long from = seen.get(i - 1).generation();
            long to = seen.get(i).generation();
            if (to != from + 1) {
                gaps.add(from + ".." + to);
            }
        }
        return gaps;
    }

    public boolean watching() {
        return informer.isWatching();
    }

    @Override
    public void close() {
        informer.close();
        client.close();
    }
}
