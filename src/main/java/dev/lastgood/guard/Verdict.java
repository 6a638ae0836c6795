package dev.lastgood.guard;

import dev.lastgood.api.v1alpha1.Reasons;

/**
 * The guard's answer: may this release run here, and if not, the precise reason.
 *
 * @param reason one of {@link Reasons}; {@link Reasons#VERIFIED} when allowed
 * @param message a sentence for people, naming both environments when they differ
 */
public record Verdict(String reason, String message) {
    public static Verdict allowed(String message) {
        return new Verdict(Reasons.VERIFIED, message);
    }

    public boolean isAllowed() {
        return Reasons.VERIFIED.equals(reason);
    }
}
