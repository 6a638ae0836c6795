/**
 * The {@code lastgood.dev/v1alpha1} API: {@link dev.lastgood.api.v1alpha1.BuildRelease} and {@link
 * dev.lastgood.api.v1alpha1.Rollout}.
 *
 * <p>User-facing field documentation lives in {@code @JsonPropertyDescription}, because that, not
 * Javadoc, is what the CRD generator copies into the schema and so into {@code kubectl explain}.
 * This package imports nothing from the reconciler or the client: it is plain data.
 */
package dev.lastgood.api.v1alpha1;
