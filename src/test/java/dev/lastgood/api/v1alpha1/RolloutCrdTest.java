package dev.lastgood.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RolloutCrdTest {

    @Test
    void aRolloutTheOperatorHasNotSeenReadsAsObservedGenerationZero() throws IOException {
        CustomResourceDefinition crd =
                Serialization.unmarshal(
                        Files.readString(Path.of("crds/rollouts.lastgood.dev.yaml")),
                        CustomResourceDefinition.class);

        JSONSchemaProps status =
                crd.getSpec()
                        .getVersions()
                        .get(0)
                        .getSchema()
                        .getOpenAPIV3Schema()
                        .getProperties()
                        .get("status");

        assertThat(status.getDefault()).as("status defaults to an object").isNotNull();
        assertThat(status.getDefault().isObject()).isTrue();
        assertThat(status.getProperties().get("observedGeneration").getDefault().asLong()).isZero();
    }
}
