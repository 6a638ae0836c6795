package dev.lastgood.rollout;

/**
 * What a track's Deployment reports.
 *
 * @param release identity of the release its pod template runs ({@code ReleaseSnapshot#identity}),
 *     null when the Deployment does not exist
 * @param replicas spec.replicas
 * @param total pods of any template (status.replicas)
 * @param updated pods running the current template
 * @param available available pods, of any template
 * @param current whether the Deployment controller has seen the latest spec
 */
public record TrackState(
        String release, int replicas, int total, int updated, int available, boolean current) {
    public static final TrackState MISSING = new TrackState(null, 0, 0, 0, 0, false);

    /** Available pods that run release {@code wanted}; pods of an older template do not count. */
    public int availableOf(String wanted) {
        if (wanted == null || !wanted.equals(release) || !current) {
            return 0;
        }
        // Pods of an older template may be among the available ones: assume they all are, so
        // the count is a lower bound and a weight never moves ahead of real capacity.
        int old = Math.max(0, total - updated);
        return Math.max(0, Math.min(updated, available - old));
    }

    /** True when every wanted replica runs {@code version} and is available. */
    public boolean rolledOut(String wanted, int wantedReplicas) {
        return availableOf(wanted) >= wantedReplicas
                && replicas == wantedReplicas
                && total == wantedReplicas;
    }
}
