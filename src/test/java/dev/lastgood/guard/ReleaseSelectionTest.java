package dev.lastgood.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastgood.api.v1alpha1.BuildRelease;
import dev.lastgood.api.v1alpha1.BuildReleaseSpec;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.Reasons;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseSelectionTest {
    static final String T1 = "2030-01-01T10:00:00Z";
    static final String T2 = "2030-01-01T11:00:00Z";
    static final String T3 = "2030-01-01T12:00:00Z";

    /** Namespace labels as a cluster admin set them. */
    static final Map<String, Map<String, String>> NAMESPACES =
            Map.of(
                    "prod-a", Map.of(Labels.ENVIRONMENT, "production"),
                    "prod-b", Map.of(Labels.ENVIRONMENT, "production"),
                    "stage", Map.of(Labels.ENVIRONMENT, "staging"),
                    "plain", Map.of("team", "shop"));

    static final LabelSelector CHANNEL_STABLE = selector(Map.of("channel", "stable"));

    @Test
    void picksOnlyFromNamespacesOfTheRolloutsEnvironment() {
        BuildRelease production = release("prod-a", "shop-v2", T1, Map.of("channel", "stable"));
        BuildRelease newerStaging = release("stage", "shop-v3", T3, Map.of("channel", "stable"));
        BuildRelease newerUnlabeled = release("plain", "shop-v4", T3, Map.of("channel", "stable"));
        BuildRelease unknownNamespace = release("gone", "shop-v5", T3, Map.of("channel", "stable"));

        Optional<BuildRelease> picked =
                pick(List.of(newerStaging, production, newerUnlabeled, unknownNamespace));

        assertThat(picked).containsSame(production);
    }

    @Test
    void picksNothingWhenOnlyAnotherEnvironmentHasAMatchingRelease() {
        BuildRelease staging = release("stage", "shop-v3", T3, Map.of("channel", "stable"));

        Optional<BuildRelease> picked = pick(List.of(staging));

        assertThat(picked).isEmpty();
    }

    @Test
    void picksTheNewestByCreationTimestamp() {
        BuildRelease old = release("prod-a", "shop-z", T1, Map.of("channel", "stable"));
        BuildRelease newest = release("prod-b", "shop-a", T3, Map.of("channel", "stable"));
        BuildRelease middle = release("prod-a", "shop-m", T2, Map.of("channel", "stable"));

        Optional<BuildRelease> picked = pick(List.of(old, newest, middle));

        assertThat(picked).containsSame(newest);
    }

    @Test
    void treatsAMissingCreationTimestampAsOldest() {
        BuildRelease undated = release("prod-a", "shop-z", null, Map.of("channel", "stable"));
        BuildRelease dated = release("prod-a", "shop-a", T1, Map.of("channel", "stable"));

        Optional<BuildRelease> picked = pick(List.of(undated, dated));

        assertThat(picked).containsSame(dated);
    }

    @Test
    void breaksATimestampTieByTheGreaterName() {
        BuildRelease a = release("prod-b", "shop-a", T2, Map.of("channel", "stable"));
        BuildRelease b = release("prod-a", "shop-b", T2, Map.of("channel", "stable"));

        assertThat(pick(List.of(a, b))).containsSame(b);
        assertThat(pick(List.of(b, a))).containsSame(b);
    }

    @Test
    void breaksANameTieByTheGreaterNamespace() {
        BuildRelease a = release("prod-a", "shop-v2", T2, Map.of("channel", "stable"));
        BuildRelease b = release("prod-b", "shop-v2", T2, Map.of("channel", "stable"));

        assertThat(pick(List.of(a, b))).containsSame(b);
        assertThat(pick(List.of(b, a))).containsSame(b);
    }

    @Test
    void ignoresReleasesOfOtherApplications() {
        BuildRelease shop = release("prod-a", "shop-v2", T1, Map.of("channel", "stable"));
        BuildRelease billing = release("prod-a", "billing-v9", T3, Map.of("channel", "stable"));
        billing.getSpec().application = "billing";
        BuildRelease specless = release("prod-a", "broken", T3, Map.of("channel", "stable"));
        specless.setSpec(null);

        Optional<BuildRelease> picked = pick(List.of(billing, specless, shop));

        assertThat(picked).containsSame(shop);
    }

    @Test
    void ignoresReleasesWhoseLabelsDoNotMatch() {
        BuildRelease stable = release("prod-a", "shop-v2", T1, Map.of("channel", "stable"));
        BuildRelease beta = release("prod-a", "shop-v3", T3, Map.of("channel", "beta"));
        BuildRelease unlabeled = release("prod-a", "shop-v4", T3, null);

        Optional<BuildRelease> picked = pick(List.of(stable, beta, unlabeled));

        assertThat(picked).containsSame(stable);
    }

    @Test
    void ignoresReleasesTheGuardRejects() {
        BuildRelease verified = release("prod-a", "shop-v2", T1, Map.of("channel", "stable"));
        BuildRelease unpinned = release("prod-a", "shop-v3", T3, Map.of("channel", "stable"));
        Function<BuildRelease, Verdict> guard =
                r ->
                        r == unpinned
                                ? new Verdict(Reasons.IMAGE_NOT_PINNED, "tag")
                                : Verdict.allowed("ok");

        Optional<BuildRelease> picked =
                ReleaseSelection.pick(
                        List.of(verified, unpinned),
                        "production",
                        "shop",
                        CHANNEL_STABLE,
                        NAMESPACES::get,
                        guard);

        assertThat(picked).containsSame(verified);
    }

    @Test
    void picksNothingWithANullSelector() {
        BuildRelease release = release("prod-a", "shop-v2", T1, Map.of("channel", "stable"));

        Optional<BuildRelease> picked =
                ReleaseSelection.pick(
                        List.of(release),
                        "production",
                        "shop",
                        null,
                        NAMESPACES::get,
                        r -> Verdict.allowed("ok"));

        assertThat(picked).isEmpty();
    }

    @Test
    void nullSelectorMatchesNothing() {
        assertThat(ReleaseSelection.matches(null, Map.of())).isFalse();
        assertThat(ReleaseSelection.matches(null, Map.of("channel", "stable"))).isFalse();
    }

    @Test
    void emptySelectorMatchesEverything() {
        assertThat(ReleaseSelection.matches(new LabelSelector(), Map.of())).isTrue();
        assertThat(ReleaseSelection.matches(new LabelSelector(), null)).isTrue();
    }

    @Test
    void matchLabelsNeedsEveryPair() {
        LabelSelector selector = selector(Map.of("channel", "stable", "tier", "web"));

        assertThat(ReleaseSelection.matches(selector, Map.of("channel", "stable", "tier", "web")))
                .isTrue();
        assertThat(
                        ReleaseSelection.matches(
                                selector, Map.of("channel", "stable", "tier", "web", "extra", "x")))
                .isTrue();
        assertThat(ReleaseSelection.matches(selector, Map.of("channel", "stable"))).isFalse();
        assertThat(ReleaseSelection.matches(selector, Map.of("channel", "beta", "tier", "web")))
                .isFalse();
        assertThat(ReleaseSelection.matches(selector, null)).isFalse();
    }

    @ParameterizedTest(name = "{0} {1} on channel={2}: {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "In,           stable|beta, stable, true",
                "In,           stable|beta, canary, false",
                "In,           stable|beta, -,      false",
                "NotIn,        stable|beta, stable, false",
                "NotIn,        stable|beta, canary, true",
                "NotIn,        stable|beta, -,      true",
                "Exists,       -,           canary, true",
                "Exists,       -,           -,      false",
                "DoesNotExist, -,           canary, false",
                "DoesNotExist, -,           -,      true",
                "Unknown,      stable,      stable, false",
            })
    void matchExpressionsFollowKubernetesSemantics(
            String operator, String values, String channel, boolean expected) {
        LabelSelector selector = new LabelSelector();
        selector.setMatchExpressions(
                List.of(
                        new LabelSelectorRequirement(
                                "channel",
                                operator,
                                values == null ? null : List.of(values.split("\\|")))));
        Map<String, String> labels =
                channel == null ? Map.of("tier", "web") : Map.of("channel", channel);

        boolean matched = ReleaseSelection.matches(selector, labels);

        assertThat(matched).isEqualTo(expected);
    }

    @Test
    void matchLabelsAndExpressionsMustAllHold() {
        LabelSelector selector = selector(Map.of("tier", "web"));
        selector.setMatchExpressions(
                List.of(new LabelSelectorRequirement("channel", "Exists", null)));

        assertThat(ReleaseSelection.matches(selector, Map.of("tier", "web", "channel", "x")))
                .isTrue();
        assertThat(ReleaseSelection.matches(selector, Map.of("tier", "web"))).isFalse();
        assertThat(ReleaseSelection.matches(selector, Map.of("channel", "x"))).isFalse();
    }

    static Optional<BuildRelease> pick(List<BuildRelease> candidates) {
        return ReleaseSelection.pick(
                candidates,
                "production",
                "shop",
                CHANNEL_STABLE,
                NAMESPACES::get,
                r -> Verdict.allowed("ok"));
    }

    static LabelSelector selector(Map<String, String> matchLabels) {
        LabelSelector selector = new LabelSelector();
        selector.setMatchLabels(matchLabels);
        return selector;
    }

    static BuildRelease release(
            String namespace, String name, String created, Map<String, String> labels) {
        BuildRelease release = new BuildRelease();
        release.setMetadata(
                new ObjectMetaBuilder()
                        .withNamespace(namespace)
                        .withName(name)
                        .withCreationTimestamp(created)
                        .withLabels(labels)
                        .build());
        BuildReleaseSpec spec = new BuildReleaseSpec();
        spec.application = "shop";
        spec.version = name;
        spec.environment = "production";
        spec.image = EnvironmentGuardTest.PINNED;
        release.setSpec(spec);
        return release;
    }
}
