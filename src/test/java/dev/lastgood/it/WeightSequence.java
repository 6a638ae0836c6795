package dev.lastgood.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The auditor's rule for the canary weights one HTTPRoute went through, as a watcher saw them: the
 * route starts at 0, every step weight appears in the order of the steps and none is skipped, a
 * weight may be re-applied but the weight never goes backwards, except to 0 at the end (a rollback,
 * or traffic back on the stable track once a promotion finished). Pure, so the rule itself is unit
 * tested ({@code WeightSequenceTest}).
 */
public final class WeightSequence {
    private WeightSequence() {}

    /** Consecutive repeats removed: a re-applied weight is the same state. */
    public static List<Integer> collapse(List<Integer> weights) {
        List<Integer> out = new ArrayList<>();
        for (Integer w : weights) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(w)) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * What is wrong with {@code observed} for a Rollout with these step weights; empty when
     * nothing. {@code promoted} says whether the release must have reached the last step (a good
     * release) or may stop at any step before rolling back (a bad one).
     */
    public static List<String> problems(
            List<Integer> observed, List<Integer> stepWeights, boolean promoted) {
        List<Integer> seen = collapse(observed);
        List<Integer> steps = collapse(stepWeights);
        List<String> problems = new ArrayList<>();
        if (seen.isEmpty() || seen.get(0) != 0) {
            problems.add("the route did not start at canary weight 0: " + seen);
            return problems;
        }
        int next = 0;
        for (int i = 1; i < seen.size(); i++) {
            int w = seen.get(i);
            if (w == 0) {
                if (i != seen.size() - 1) {
                    problems.add("traffic came back to the canary after 0: " + seen);
                }
                break;
            }
            if (next < steps.size() && w == steps.get(next)) {
                next++;
            } else if (steps.subList(Math.min(next, steps.size()), steps.size()).contains(w)) {
                problems.add(
                        "skipped step weight " + steps.get(next) + " (went to " + w + "): " + seen);
                return problems;
            } else {
                problems.add(
                        "weight went from "
                                + seen.get(i - 1)
                                + " to "
                                + w
                                + " out of order: "
                                + seen);
                return problems;
            }
        }
        if (seen.get(seen.size() - 1) != 0) {
            problems.add("the route did not end at canary weight 0: " + seen);
        }
        if (promoted && next < steps.size()) {
            problems.add("promoted without reaching step weight " + steps.get(next) + ": " + seen);
        }
        if (!promoted && next == steps.size() && steps.get(steps.size() - 1) == 100) {
            problems.add("a release that must roll back reached 100%: " + seen);
        }
        return problems;
    }
}
