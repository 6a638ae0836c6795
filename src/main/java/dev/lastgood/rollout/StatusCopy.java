package dev.lastgood.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastgood.api.v1alpha1.RolloutStatus;

/** Deep copies of a status, so the planner never mutates what it was given. */
final class StatusCopy {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusCopy() {}

    static RolloutStatus of(RolloutStatus status) {
        return status == null
                ? new RolloutStatus()
                : MAPPER.convertValue(status, RolloutStatus.class);
    }
}
