package dev.lastgood.analysis;

import java.util.List;

/**
 * What a metrics provider answered to one query, before judging it.
 *
 * @param samples the values returned (one per series); empty for no data
 * @param error why the provider gave no answer, or null
 */
public record QueryResult(List<Double> samples, String error) {
    public static QueryResult of(double... values) {
        return new QueryResult(java.util.Arrays.stream(values).boxed().toList(), null);
    }

    public static QueryResult failed(String error) {
        return new QueryResult(List.of(), error);
    }
}
