package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.util.Objects;

/**
 * Applies owned objects with server-side apply, skipping those that already hold what this operator
 * last applied.
 *
 * <p>Every pod becoming ready triggers a pass; without the check each pass would send one patch per
 * owned object. The matcher compares the fields this operator's field manager owns, so a change
 * someone else made to one of them is still noticed and applied over.
 */
final class Applier {
    private final Context<Rollout> context;

    Applier(Context<Rollout> context) {
        this.context = context;
    }

    <R extends HasMetadata> void apply(R desired) {
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) desired.getClass();
        var actual =
                context.getSecondaryResources(type).stream()
                        .filter(
                                r ->
                                        Objects.equals(
                                                r.getMetadata().getName(),
                                                desired.getMetadata().getName()))
                        .findFirst();
        if (actual.isPresent()
                && SSABasedGenericKubernetesResourceMatcher.<R>getInstance()
                        .matches(actual.get(), desired, context)) {
            return;
        }
        context.resourceOperations().serverSideApply(desired);
    }
}
