package dev.lastgood.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** What one application runs in one environment, moved to new releases in weighted steps. */
@Group(Rollout.GROUP)
@Version(Rollout.VERSION)
@ShortNames("lgro")
@AdditionalPrinterColumn(
        name = "Phase",
        jsonPath = ".status.phase",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Weight",
        jsonPath = ".status.canaryWeight",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Stable",
        jsonPath = ".status.stable.version",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Canary",
        jsonPath = ".status.canary.version",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Rollout extends CustomResource<RolloutSpec, RolloutStatus> implements Namespaced {
    public static final String GROUP = "lastgood.dev";
    public static final String VERSION = "v1alpha1";

    /**
     * Defaulted by the API server, so a Rollout the operator has not seen yet reads as status
     * {observedGeneration: 0} rather than no status: kstatus (Flux, {@code helm --wait}) calls an
     * object without status.observedGeneration Current, which would report a Rollout ready before
     * anything ran.
     */
    @Override
    @Default("{}")
    public RolloutStatus getStatus() {
        return super.getStatus();
    }
}
