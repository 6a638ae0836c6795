package dev.lastgood.rollout;

/**
 * Replica arithmetic for a canary weight.
 *
 * <p>With a traffic router the stable track keeps all its replicas and the canary gets enough to
 * carry its share, so a rollback can send everything back to stable at once without waiting for
 * pods. Without a router the split of replicas is the split of traffic, and a weight that cannot be
 * expressed in whole pods is rounded down, never up: a canary gets less traffic than asked, never
 * more.
 */
public final class Weights {
    private Weights() {}

    /** Canary pods needed to carry {@code weight} percent of {@code replicas}' load. */
    public static int routedCanaryReplicas(int replicas, int weight) {
        if (weight <= 0 || replicas <= 0) {
            return 0;
        }
        return Math.max(1, ceilDiv(replicas * weight, 100));
    }

    /** Canary pods for a replica-ratio split. */
    public static int ratioCanaryReplicas(int replicas, int weight) {
        if (weight >= 100) {
            return replicas;
        }
        int pods = Math.floorDiv(replicas * weight, 100);
        // Never leave the stable track empty before promotion.
        return Math.min(pods, Math.max(0, replicas - 1));
    }

    /** The weight a replica-ratio split really gives. */
    public static int ratioAchievedWeight(int replicas, int canaryPods) {
        return replicas == 0 ? 0 : Math.floorDiv(canaryPods * 100, replicas);
    }

    /** Weight a canary with {@code available} pods can carry, for the fast track. */
    public static int carriedWeight(int replicas, int available) {
        if (replicas <= 0) {
            return 100;
        }
        return Math.min(100, Math.floorDiv(available * 100, replicas));
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
