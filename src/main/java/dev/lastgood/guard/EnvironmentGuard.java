package dev.lastgood.guard;

import dev.lastgood.api.v1alpha1.BuildReleaseSpec;
import dev.lastgood.api.v1alpha1.Labels;
import dev.lastgood.api.v1alpha1.Reasons;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a release may run in a Rollout: a pure function of the two specs and the labels
 * of the two namespaces.
 *
 * <p>Every check compares against the Rollout's declared environment, and each side's namespace
 * label must agree, because the namespace label is the one thing only cluster admins control: a
 * release author can write any {@code spec.environment}, but cannot move a staging namespace into
 * production.
 */
public final class EnvironmentGuard {
    private EnvironmentGuard() {}

    /** The facts the guard looks at. Labels may be null for a namespace that is not known. */
    public record Input(
            String rolloutNamespace,
            String rolloutName,
            String environment,
            String application,
            Map<String, String> rolloutNamespaceLabels,
            String releaseNamespace,
            String releaseName,
            BuildReleaseSpec release,
            Map<String, String> releaseNamespaceLabels) {}

    /** Judges a release for a Rollout. */
    public static Verdict judge(Input in) {
        String rolloutEnv = label(in.rolloutNamespaceLabels());
        String releaseNsEnv = label(in.releaseNamespaceLabels());
        String release = "BuildRelease " + in.releaseNamespace() + "/" + in.releaseName();
        if (rolloutEnv == null) {
            return notLabeled(in.rolloutNamespace(), "the Rollout's");
        }
        if (!rolloutEnv.equals(in.environment())) {
            return mismatch(
                    "Rollout %s/%s declares environment %s but its namespace is labeled %s",
                    in.rolloutNamespace(), in.rolloutName(), in.environment(), rolloutEnv);
        }
        if (releaseNsEnv == null) {
            return notLabeled(in.releaseNamespace(), release + "'s");
        }
        if (!releaseNsEnv.equals(in.environment())) {
            return mismatch(
                    "%s is in namespace %s labeled environment %s, but the Rollout serves %s",
                    release, in.releaseNamespace(), releaseNsEnv, in.environment());
        }
        if (!Objects.equals(in.release().environment, in.environment())) {
            return mismatch(
                    "%s is built for environment %s, but the Rollout serves %s",
                    release, in.release().environment, in.environment());
        }
        if (!Objects.equals(in.release().application, in.application())) {
            return new Verdict(
                    Reasons.APPLICATION_MISMATCH,
                    String.format(
                            "%s is a build of %s, but the Rollout runs %s",
                            release, in.release().application, in.application()));
        }
        return imageVerdict(release, in.release().image, in.environment());
    }

    /** Judges a BuildRelease on its own: its namespace label and its image. */
    public static Verdict judgeRelease(
            String namespace, String name, BuildReleaseSpec spec, Map<String, String> labels) {
        String nsEnv = label(labels);
        String release = "BuildRelease " + namespace + "/" + name;
        if (nsEnv == null) {
            return notLabeled(namespace, release + "'s");
        }
        if (!nsEnv.equals(spec.environment)) {
            return mismatch(
                    "%s is built for environment %s, but its namespace %s is labeled %s",
                    release, spec.environment, namespace, nsEnv);
        }
        return imageVerdict(release, spec.image, nsEnv);
    }

    private static Verdict imageVerdict(String release, String image, String environment) {
        if (image == null || !image.matches(BuildReleaseSpec.IMAGE_PATTERN)) {
            return new Verdict(
                    Reasons.IMAGE_NOT_PINNED,
                    release
                            + " has image "
                            + image
                            + ", which is not pinned by digest (<repository>@sha256:<64 hex>)");
        }
        return Verdict.allowed(release + " is verified for environment " + environment);
    }

    private static String label(Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        String value = labels.get(Labels.ENVIRONMENT);
        return value == null || value.isBlank() ? null : value;
    }

    private static Verdict notLabeled(String namespace, String whose) {
        return new Verdict(
                Reasons.NAMESPACE_NOT_LABELED,
                String.format(
                        "%s namespace %s has no %s label; a cluster admin must label it",
                        whose, namespace, Labels.ENVIRONMENT));
    }

    private static Verdict mismatch(String format, Object... args) {
        return new Verdict(Reasons.ENVIRONMENT_MISMATCH, String.format(format, args));
    }
}
