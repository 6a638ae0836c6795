package dev.lastgood.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs under crds/ are what the Java model generates. They are what users and the Helm chart
 * install, so a model change that is not committed there would ship a different API. The chart
 * carries copies (Helm reads CRDs only from inside the chart), which must not lag behind.
 */
class CrdsCommittedIT {
    private static final Path PROJECT = LocalCluster.projectDir();

    @ParameterizedTest
    @ValueSource(strings = {"rollouts.lastgood.dev", "buildreleases.lastgood.dev"})
    void committedCrdMatchesTheGeneratedOne(String crd) throws IOException {
        String generated =
                Files.readString(PROJECT.resolve("target/kubernetes/" + crd + "-v1.yml"));
        String committed = Files.readString(PROJECT.resolve("crds/" + crd + ".yaml"));

        assertThat(committed)
                .as("crds/%s.yaml is stale: run hack/update-crds.sh and commit the result", crd)
                .isEqualTo(generated);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rollouts.lastgood.dev", "buildreleases.lastgood.dev"})
    void chartCrdMatchesTheCommittedOne(String crd) throws IOException {
        String committed = Files.readString(PROJECT.resolve("crds/" + crd + ".yaml"));
        String inChart = Files.readString(PROJECT.resolve("helm/lastgood/crds/" + crd + ".yaml"));

        assertThat(inChart)
                .as("helm/lastgood/crds/%s.yaml is stale: run hack/update-crds.sh", crd)
                .isEqualTo(committed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"buildrelease-environment.yaml"})
    void chartAdmissionPolicyMatchesTheCommittedOne(String file) throws IOException {
        String committed = Files.readString(PROJECT.resolve("config/admission/" + file));
        String inChart = Files.readString(PROJECT.resolve("helm/lastgood/files/admission/" + file));

        assertThat(inChart)
                .as("helm/lastgood/files/admission/%s is stale: run hack/update-crds.sh", file)
                .isEqualTo(committed);
    }
}
