package dev.lastgood.rollout;

/**
 * A user-visible change of a Rollout, turned into an event, an INFO log line and metrics.
 *
 * @param warning whether the event is a Warning
 * @param reason one of {@link dev.lastgood.api.v1alpha1.Reasons}
 * @param detail a more specific reason (the rollback cause), or null
 */
public record Transition(boolean warning, String reason, String detail, String message) {
    public static Transition normal(String reason, String message) {
        return new Transition(false, reason, null, message);
    }

    public static Transition warning(String reason, String detail, String message) {
        return new Transition(true, reason, detail, message);
    }
}
