package dev.lastgood.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The API server's audit log of writes, which {@code hack/local-cluster.sh up} turns on
 * (LG_AUDIT_LOG=1): what a client wrote, as the server saw it, whatever the client logs itself.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {}

    /** One write request. */
    public record Write(
            Instant received,
            String userAgent,
            String verb,
            String resource,
            String subresource,
            String namespace,
            String name,
            int code) {
        @Override
        public String toString() {
            return received
                    + " "
                    + userAgent
                    + " "
                    + verb
                    + " "
                    + resource
                    + (subresource.isEmpty() ? "" : "/" + subresource)
                    + " "
                    + namespace
                    + "/"
                    + name
                    + " -> "
                    + code;
        }
    }

    public static Path path() {
        return LocalCluster.kubeconfig().getParent().resolve("logs/audit.log");
    }

    /**
     * Whether the running cluster writes an audit log at all (a test cannot prove much without).
     */
    public static boolean enabled() {
        return Files.exists(path());
    }

    /** Every write the server has logged so far whose user agent starts with {@code agent}. */
    public static List<Write> writesBy(String agent) {
        List<Write> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(path())) {
                JsonNode e = JSON.readTree(line);
                if (e.path("userAgent").asText().startsWith(agent)) {
                    out.add(write(e));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the audit log " + path(), e);
        }
        return out;
    }

    private static Write write(JsonNode e) {
        JsonNode ref = e.path("objectRef");
        return new Write(
                Instant.parse(e.path("requestReceivedTimestamp").asText()),
                e.path("userAgent").asText(),
                e.path("verb").asText(),
                ref.path("resource").asText(),
                ref.path("subresource").asText(),
                ref.path("namespace").asText(),
                ref.path("name").asText(),
                e.path("responseStatus").path("code").asInt());
    }
}
