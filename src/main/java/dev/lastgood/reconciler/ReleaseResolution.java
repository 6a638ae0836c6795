package dev.lastgood.reconciler;

import dev.lastgood.api.v1alpha1.ReleaseSnapshot;
import dev.lastgood.guard.Verdict;

/**
 * The release a Rollout's spec names, and the guard's verdict on it.
 *
 * @param snapshot the release's snapshot, or null when there is none to run
 */
public record ReleaseResolution(ReleaseSnapshot snapshot, Verdict verdict) {}
