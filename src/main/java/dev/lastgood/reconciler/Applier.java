package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;

/**
 * Applies owned objects with server-side apply, skipping those that already hold what this operator
 * last applied.
 *
 * <p>Every pod becoming ready triggers a pass; without the check each pass would send one patch per
 * owned object. The matcher compares the fields this operator's field manager owns, so a change
 * someone else made to one of them is still noticed and applied over. The matcher's answers are
 * remembered in {@link InSyncMemo}, so a pass over an unchanged object costs a digest, not a
 * conversion of both objects.
 */
final class Applier {
    private final Context<Rollout> context;
    private final OwnedCache cache;
    private final InSyncMemo memo;
    private final Rollout rollout;
    private final ResourceID rolloutId;

    Applier(Rollout rollout, Context<Rollout> context, OwnedCache cache, InSyncMemo memo) {
        this.context = context;
        this.cache = cache;
        this.memo = memo;
        this.rollout = rollout;
        this.rolloutId = ResourceID.fromResource(rollout);
    }

    /** An owned object's name is another Rollout's object: applying it would take it over. */
    static final class NameTaken extends RuntimeException {
        NameTaken(HasMetadata desired, String owner) {
            super(
                    desired.getKind()
                            + " "
                            + desired.getMetadata().getName()
                            + " belongs to Rollout "
                            + owner
                            + "; rename one of the two Rollouts (a Rollout N owns the Services N,"
                            + " N-stable and N-canary, and the Deployments N-stable and N-canary)");
        }
    }

    /**
     * Refuses, before anything is written, objects whose names another Rollout's objects hold. The
     * Rollout that has them keeps them; the one that came second is told why it cannot run.
     */
    void claim(List<? extends HasMetadata> desired) {
        for (HasMetadata d : desired) {
            var owner = cache.heldByAnother(d.getClass(), rollout, d.getMetadata().getName());
            if (owner.isPresent()) {
                throw new NameTaken(d, owner.get());
            }
        }
    }

    <R extends HasMetadata> void apply(R desired) {
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) desired.getClass();
        var actual = cache.get(type, rollout, desired.getMetadata().getName());
        if (actual.isPresent()) {
            byte[] digest = InSyncMemo.digest(desired);
            if (memo.inSync(rolloutId, actual.get(), digest)) {
                return;
            }
            if (SSABasedGenericKubernetesResourceMatcher.<R>getInstance()
                    .matches(actual.get(), desired, context)) {
                memo.remember(rolloutId, actual.get(), digest);
                return;
            }
        }
        context.resourceOperations().serverSideApply(desired);
    }
}
