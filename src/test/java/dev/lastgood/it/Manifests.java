package dev.lastgood.it;

import java.util.List;
import java.util.stream.Collectors;

/** YAML the tests apply with kubectl, as a user would write it. */
public final class Manifests {
    public static final String DIGEST = "sha256:" + "ab".repeat(32);

    private Manifests() {}

    public static String namespace(String name, String environment) {
        return """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: %s
          labels:
            lastgood.dev/environment: %s
        """
                .formatted(name, environment);
    }

    public static String release(
            String ns, String name, String app, String version, String environment, String image) {
        return """
        apiVersion: lastgood.dev/v1alpha1
        kind: BuildRelease
        metadata:
          name: %s
          namespace: %s
          labels:
            app: %s
        spec:
          application: %s
          version: %s
          environment: %s
          image: %s
          env:
            - name: RELEASE_VERSION
              value: %s
        """
                .formatted(name, ns, app, app, version, environment, image, version);
    }

    public static String release(
            String ns, String name, String app, String version, String environment) {
        return release(
                ns,
                name,
                app,
                version,
                environment,
                "registry.example/" + app + "@" + digest(version));
    }

    /** A distinct digest per version, as real builds have. */
    public static String digest(String version) {
        String hex = String.format("%064x", new java.math.BigInteger(1, version.getBytes()));
        return "sha256:" + hex.substring(hex.length() - 64);
    }

    /** Options of a test Rollout. */
    public record RolloutOptions(
            int replicas,
            List<String> steps,
            String prometheus,
            String analysisInterval,
            int inconclusiveLimit,
            boolean routed,
            int progressDeadlineSeconds) {
        public static RolloutOptions routed(String prometheus, String... steps) {
            return new RolloutOptions(2, List.of(steps), prometheus, "2s", 2, true, 120);
        }
    }

    /** A Rollout with one error-rate metric over the FakeApp's series. */
    public static String rollout(
            String ns, String name, String app, String releaseName, RolloutOptions o) {
        String steps = o.steps().stream().map(s -> "    - " + s).collect(Collectors.joining("\n"));
        String traffic =
                o.routed()
                        ? """
                          traffic:
                            gatewayAPI:
                              parentRefs:
                                - name: public-gateway
                              hostnames: ["%s.example"]
                        """
                                .formatted(app)
                        : "";
        String analysis =
                o.prometheus() == null
                        ? ""
                        : """
                          analysis:
                            interval: %s
                            failureLimit: 0
                            inconclusiveLimit: %d
                            metrics:
                              - name: error-rate
                                prometheus:
                                  address: %s
                                  query: >-
                                    sum(rate(app_requests_total{version="{{canary.version}}",code="500"}[5s]))
                                    / sum(rate(app_requests_total{version="{{canary.version}}"}[5s]))
                                max: 0.05
                        """
                                .formatted(
                                        o.analysisInterval(),
                                        o.inconclusiveLimit(),
                                        o.prometheus());
        return """
        apiVersion: lastgood.dev/v1alpha1
        kind: Rollout
        metadata:
          name: %s
          namespace: %s
        spec:
          environment: production
          application: %s
          release:
            name: %s
          replicas: %d
          progressDeadlineSeconds: %d
          service:
            port: 80
            targetPort: 8080
          template:
            spec:
              containers:
                - name: app
                  image: placeholder
                  ports:
                    - containerPort: 8080
        %s%s  steps:
        %s
        """
                .formatted(
                        name,
                        ns,
                        app,
                        releaseName,
                        o.replicas(),
                        o.progressDeadlineSeconds(),
                        traffic,
                        analysis,
                        steps);
    }
}
