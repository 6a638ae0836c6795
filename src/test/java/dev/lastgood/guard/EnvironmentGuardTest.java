package dev.lastgood.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.BuildReleaseSpec;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.Reasons;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentGuardTest {
    static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    static final String PINNED = "registry.example/shop@" + DIGEST;

    static final Map<String, String> PRODUCTION = Map.of(Labels.ENVIRONMENT, "production");
    static final Map<String, String> STAGING = Map.of(Labels.ENVIRONMENT, "staging");

    @Test
    void verifiesAProductionReleaseForAProductionRollout() {
        var in = input(PRODUCTION, PRODUCTION, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.isAllowed()).isTrue();
        assertThat(verdict.reason()).isEqualTo(Reasons.VERIFIED);
        assertThat(verdict.message()).contains("shop-builds/shop-v2", "production");
    }

    @Test
    void rejectsWhenTheRolloutNamespaceIsNotLabeled() {
        var in = input(Map.of("team", "shop"), PRODUCTION, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
        assertThat(verdict.isAllowed()).isFalse();
        assertThat(verdict.message()).contains("shop-prod", Labels.ENVIRONMENT);
    }

    @Test
    void rejectsWhenTheRolloutNamespaceIsLabeledBlank() {
        var in =
                input(
                        Map.of(Labels.ENVIRONMENT, " "),
                        PRODUCTION,
                        release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
    }

    @Test
    void rejectsWhenTheReleaseNamespaceIsNotLabeled() {
        var in = input(PRODUCTION, Map.of(), release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
        assertThat(verdict.message()).contains("shop-builds");
    }

    @Test
    void treatsAnUnknownRolloutNamespaceAsUnlabeled() {
        var in = input(null, PRODUCTION, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
        assertThat(verdict.message()).contains("shop-prod");
    }

    @Test
    void treatsAnUnknownReleaseNamespaceAsUnlabeled() {
        var in = input(PRODUCTION, null, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
        assertThat(verdict.message()).contains("shop-builds");
    }

    @Test
    void rejectsARolloutWhoseNamespaceIsLabeledWithAnotherEnvironment() {
        var in = input(STAGING, PRODUCTION, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(verdict.message()).contains("production", "staging");
    }

    @Test
    void rejectsAReleaseFromAStagingNamespaceForAProductionRollout() {
        var in = input(PRODUCTION, STAGING, release("production", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(verdict.message()).contains("production", "staging", "shop-builds");
    }

    @Test
    void rejectsAStagingBuildPlacedInAProductionNamespace() {
        var in = input(PRODUCTION, PRODUCTION, release("staging", "shop", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(verdict.message()).contains("production", "staging");
    }

    @Test
    void rejectsABuildOfAnotherApplication() {
        var in = input(PRODUCTION, PRODUCTION, release("production", "billing", PINNED));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.APPLICATION_MISMATCH);
        assertThat(verdict.message()).contains("billing", "shop");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "registry.example/shop:v2",
                "registry.example/shop@sha256:0123abcd",
                "registry.example/shop@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
                "registry.example/shop:v2@sha1:0123456789abcdef0123456789abcdef01234567",
                ""
            })
    void rejectsAnImageThatIsNotPinnedByAFullDigest(String image) {
        var in = input(PRODUCTION, PRODUCTION, release("production", "shop", image));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.IMAGE_NOT_PINNED);
    }

    @Test
    void rejectsAMissingImage() {
        var in = input(PRODUCTION, PRODUCTION, release("production", "shop", null));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.IMAGE_NOT_PINNED);
    }

    @Test
    void judgesTheSameReleaseAgainWithTheNamespaceLabelsOfTheMoment() {
        BuildReleaseSpec release = release("production", "shop", PINNED);
        Map<String, String> releaseNamespace = new HashMap<>(PRODUCTION);
        Verdict before = EnvironmentGuard.judge(input(PRODUCTION, releaseNamespace, release));

        releaseNamespace.put(Labels.ENVIRONMENT, "staging");
        Verdict after = EnvironmentGuard.judge(input(PRODUCTION, releaseNamespace, release));

        assertThat(before.reason()).isEqualTo(Reasons.VERIFIED);
        assertThat(after.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(after.message()).contains("production", "staging");
    }

    @Test
    void checksTheRolloutNamespaceBeforeTheRelease() {
        var in = input(STAGING, null, release("staging", "billing", "tag-only"));

        Verdict verdict = EnvironmentGuard.judge(in);

        assertThat(verdict.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(verdict.message()).contains("Rollout shop-prod/shop");
    }

    @Test
    void verifiesAReleaseOnItsOwnWhenItMatchesItsNamespace() {
        Verdict verdict =
                EnvironmentGuard.judgeRelease(
                        "shop-builds", "shop-v2", release("staging", "shop", PINNED), STAGING);

        assertThat(verdict.isAllowed()).isTrue();
        assertThat(verdict.message()).contains("staging");
    }

    @Test
    void rejectsAReleaseOnItsOwnInAnUnlabeledNamespace() {
        Verdict verdict =
                EnvironmentGuard.judgeRelease(
                        "shop-builds", "shop-v2", release("staging", "shop", PINNED), null);

        assertThat(verdict.reason()).isEqualTo(Reasons.NAMESPACE_NOT_LABELED);
    }

    @Test
    void rejectsAReleaseOnItsOwnBuiltForAnotherEnvironment() {
        Verdict verdict =
                EnvironmentGuard.judgeRelease(
                        "shop-builds", "shop-v2", release("staging", "shop", PINNED), PRODUCTION);

        assertThat(verdict.reason()).isEqualTo(Reasons.ENVIRONMENT_MISMATCH);
        assertThat(verdict.message()).contains("staging", "production");
    }

    @Test
    void rejectsAReleaseOnItsOwnWithATagOnlyImage() {
        Verdict verdict =
                EnvironmentGuard.judgeRelease(
                        "shop-builds",
                        "shop-v2",
                        release("staging", "shop", "registry.example/shop:latest"),
                        STAGING);

        assertThat(verdict.reason()).isEqualTo(Reasons.IMAGE_NOT_PINNED);
        assertThat(verdict.message()).contains("registry.example/shop:latest");
    }

    static EnvironmentGuard.Input input(
            Map<String, String> rolloutNamespaceLabels,
            Map<String, String> releaseNamespaceLabels,
            BuildReleaseSpec release) {
        return new EnvironmentGuard.Input(
                "shop-prod",
                "shop",
                "production",
                "shop",
                rolloutNamespaceLabels,
                "shop-builds",
                "shop-v2",
                release,
                releaseNamespaceLabels);
    }

    static BuildReleaseSpec release(String environment, String application, String image) {
        BuildReleaseSpec spec = new BuildReleaseSpec();
        spec.application = application;
        spec.version = "v2";
        spec.environment = environment;
        spec.image = image;
        return spec;
    }
}
