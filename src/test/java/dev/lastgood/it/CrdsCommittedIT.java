package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs under crds/ are what the Java model generates. They are what users and the Helm chart
 * install, so a model change that is not committed there would ship a different API.
 */
class CrdsCommittedIT {

    @ParameterizedTest
    @ValueSource(strings = {"rollouts.lastgood.dev", "buildreleases.lastgood.dev"})
    void committedCrdMatchesTheGeneratedOne(String crd) throws IOException {
        Path project = LocalCluster.projectDir();
        String generated =
                Files.readString(project.resolve("target/kubernetes/" + crd + "-v1.yml"));
        String committed = Files.readString(project.resolve("crds/" + crd + ".yaml"));

        assertThat(committed)
                .as("crds/%s.yaml is stale: run hack/update-crds.sh and commit the result", crd)
                .isEqualTo(generated);
    }
}
