package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to run a release again, copied out of its BuildRelease.
 *
 * <p>A rollback must work when the BuildRelease is gone and nothing but the API server answers, so
 * the snapshot carries the image digest and env itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReleaseSnapshot {
    @JsonPropertyDescription("Name of the BuildRelease the snapshot was taken from.")
    public String releaseName;

    @JsonPropertyDescription("Namespace of that BuildRelease.")
    public String releaseNamespace;

    @JsonPropertyDescription("The release's version.")
    public String version;

    @JsonPropertyDescription("The release's digest-pinned image.")
    public String image;

    @JsonPropertyDescription("The release's environment variables.")
    public List<NameValue> env = new ArrayList<>();

    @JsonPropertyDescription("When the release was promoted (history and stable only).")
    public String promotedAt;

    /** Identity of what runs: the same image and env is the same release, whatever its name. */
    @JsonIgnore
    public boolean sameRelease(ReleaseSnapshot other) {
        return other != null
                && Objects.equals(releaseName, other.releaseName)
                && Objects.equals(releaseNamespace, other.releaseNamespace)
                && Objects.equals(version, other.version)
                && Objects.equals(image, other.image)
                && Objects.equals(env, other.env);
    }

    /** A short key for status lists and messages: namespace/name@version. */
    @JsonIgnore
    public String key() {
        return releaseNamespace + "/" + releaseName + "@" + version;
    }

    /**
     * The key plus a fingerprint of image and env: what a pod template annotation records, so a
     * rebuilt release under the same name is never mistaken for the pods of the old one.
     */
    @JsonIgnore
    public String identity() {
        return key() + "#" + Integer.toHexString(Objects.hash(image, env));
    }

    public ReleaseSnapshot copy() {
        ReleaseSnapshot c = new ReleaseSnapshot();
        c.releaseName = releaseName;
        c.releaseNamespace = releaseNamespace;
        c.version = version;
        c.image = image;
        c.env = new ArrayList<>(env);
        c.promotedAt = promotedAt;
        return c;
    }
}
