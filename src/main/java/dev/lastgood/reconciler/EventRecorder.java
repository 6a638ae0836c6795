package dev.lastgood.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes Kubernetes Events about Lastgood's resources. */
public class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    static final String CONTROLLER = "lastgood.dev/operator";
    private static final java.time.format.DateTimeFormatter MICRO =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX")
                    .withZone(java.time.ZoneOffset.UTC);

    private static final int MAX_NAME_LENGTH = 253;

    private final KubernetesClient client;
    private final String instance;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
        this.instance = System.getenv().getOrDefault("HOSTNAME", "lastgood");
    }

    /**
     * The object's name and a unique suffix. A Rollout may have a name of up to 253 characters, as
     * long as an Event's name may be: the name is shortened so that the Event about it is not
     * refused, and lost, for the very mistake it reports.
     */
    static String eventName(String objectName, String suffix) {
        String prefix = objectName;
        if (prefix.length() + 1 + suffix.length() > MAX_NAME_LENGTH) {
            prefix = prefix.substring(0, MAX_NAME_LENGTH - 1 - suffix.length());
        }
        // Each part of a DNS subdomain ends with a letter or digit.
        return prefix.replaceAll("[-.]+$", "") + "." + suffix;
    }

    /** Best effort: a lost event must never fail a reconciliation, the status is the record. */
    public void record(
            HasMetadata about, boolean warning, String reason, String action, String message) {
        var event =
                new EventBuilder()
                        .withNewMetadata()
                        .withName(
                                eventName(
                                        about.getMetadata().getName(),
                                        UUID.randomUUID().toString().substring(0, 13)))
                        .withNamespace(about.getMetadata().getNamespace())
                        .endMetadata()
                        .withRegarding(
                                new ObjectReferenceBuilder()
                                        .withApiVersion(about.getApiVersion())
                                        .withKind(about.getKind())
                                        .withName(about.getMetadata().getName())
                                        .withNamespace(about.getMetadata().getNamespace())
                                        .withUid(about.getMetadata().getUid())
                                        .build())
                        .withType(warning ? "Warning" : "Normal")
                        .withReason(reason)
                        .withAction(action)
                        .withNote(message.length() > 1000 ? message.substring(0, 1000) : message)
                        .withEventTime(new MicroTime(MICRO.format(Instant.now())))
                        .withReportingController(CONTROLLER)
                        .withReportingInstance(instance)
                        .build();
        try {
            client.resource(event).create();
        } catch (KubernetesClientException e) {
            if (String.valueOf(e.getMessage()).contains("being terminated")) {
                return; // the namespace is going away with its events
            }
            LOG.warn("could not record event {}: {}", reason, e.getMessage());
        }
    }
}
