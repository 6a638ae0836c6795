package dev.lastgood.api.v1alpha1;

/** Label and annotation keys of the API contract. */
public final class Labels {
    /** On a namespace: the environment it belongs to. Only cluster admins set it. */
    public static final String ENVIRONMENT = "lastgood.dev/environment";

    /** On a Rollout: ends a pause without duration when set or changed. */
    public static final String PROMOTE = "lastgood.dev/promote";

    /** On a Rollout: returns to the last-good release at once when set or changed. */
    public static final String ABORT = "lastgood.dev/abort";

    /** On owned objects and pods: the Rollout they belong to. */
    public static final String ROLLOUT = "lastgood.dev/rollout";

    /** On Deployments and pods: stable or canary. */
    public static final String TRACK = "lastgood.dev/track";

    /** On pods: the release version they run. */
    public static final String VERSION = "lastgood.dev/version";

    /** On owned objects: marks what the operator manages, for label-filtered informers. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    public static final String MANAGED_BY_VALUE = "lastgood";

    private Labels() {}
}
