package dev.lastgood.analysis;

/** How one measurement came out. No data is never Successful. */
public enum Result {
    /** The value is within min/max. */
    SUCCESSFUL("Successful"),
    /** The value is outside min/max. */
    FAILED("Failed"),
    /** No usable value: empty result, NaN or infinity. */
    INCONCLUSIVE("Inconclusive"),
    /** The provider could not answer: unreachable, timeout, HTTP error, bad query. */
    ERROR("Error");

    private final String label;

    Result(String label) {
        this.label = label;
    }

    /** The word used in status and metric labels. */
    public String label() {
        return label;
    }
}
