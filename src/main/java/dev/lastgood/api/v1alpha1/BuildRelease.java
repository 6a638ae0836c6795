package dev.lastgood.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One build of one application, meant for exactly one environment.
 *
 * <p>It carries its environment so that a production Rollout can never be pointed at a build made
 * for staging: that mix-up is what turned a bad deploy into an outage.
 */
@Group(Rollout.GROUP)
@Version(Rollout.VERSION)
@ShortNames("br")
@AdditionalPrinterColumn(
        name = "Application",
        jsonPath = ".spec.application",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Version",
        jsonPath = ".spec.version",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Environment",
        jsonPath = ".spec.environment",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Verified",
        jsonPath = ".status.conditions[?(@.type==\"Verified\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class BuildRelease extends CustomResource<BuildReleaseSpec, BuildReleaseStatus>
        implements Namespaced {}
