package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Helm chart in helm/lastgood, rendered with the helm that hack/helm.sh builds. */
final class Chart {
    static final ObjectMapper YAML =
            new ObjectMapper(
                    YAMLFactory.builder()
                            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                            .build());

    private Chart() {}

    static Path dir() {
        return LocalCluster.projectDir().resolve("helm/lastgood");
    }

    static Path helm() {
        String cache =
                System.getenv()
                        .getOrDefault(
                                "LASTGOOD_CACHE",
                                System.getProperty("user.home") + "/.cache/lastgood");
        Path helm = Path.of(System.getProperty("lastgood.helm", cache + "/bin/helm"));
        if (!Files.isExecutable(helm)) {
            throw new IllegalStateException("no helm at " + helm + ": run hack/helm.sh");
        }
        return helm;
    }

    /** {@code helm template} with the CRDs; extra arguments such as {@code --set k=v}. */
    static String template(String release, String namespace, String... args) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                helm().toString(),
                                "template",
                                release,
                                dir().toString(),
                                "--namespace",
                                namespace,
                                "--include-crds"));
        cmd.addAll(List.of(args));
        var r = LocalCluster.run(cmd, null, Map.of());
        assertThat(r.exit()).as("helm template: %s", r.err()).isZero();
        return r.out();
    }

    /** Every object of a multi-document YAML stream, comments and empty documents dropped. */
    static List<ObjectNode> objects(String yaml) {
        try (var parser = YAML.getFactory().createParser(yaml)) {
            List<ObjectNode> out = new ArrayList<>();
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode node = it.next();
                if (node instanceof ObjectNode o && o.has("kind")) {
                    out.add(o);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<ObjectNode> ofKind(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static ObjectNode one(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static String yaml(List<ObjectNode> objects) {
        StringBuilder out = new StringBuilder();
        for (ObjectNode o : objects) {
            try {
                out.append("---\n").append(YAML.writeValueAsString(o));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }
}
