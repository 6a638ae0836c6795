package dev.lastgood.analysis;

/**
 * One metric's measurement in one round.
 *
 * @param value the value as text, or null when there was none
 */
public record Outcome(String metric, Result result, String value, String message) {}
