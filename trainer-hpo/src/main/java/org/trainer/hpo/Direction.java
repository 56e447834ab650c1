package org.trainer.hpo;

/** Whether a study seeks the smallest or the largest objective value. */
public enum Direction {
    /** Smaller objective values are better (losses, errors). */
    MINIMIZE,
    /** Larger objective values are better (accuracies). */
    MAXIMIZE;

    /**
     * {@code value} turned into a loss: itself when minimizing, its negation when maximizing.
     *
     * @param value an objective value
     * @return the loss, smaller is better
     */
    public double toLoss(double value) {
        return this == MINIMIZE ? value : -value;
    }

    /**
     * Whether {@code a} is strictly better than {@code b} in this direction.
     *
     * @param a one objective value
     * @param b another objective value
     * @return whether a beats b
     */
    public boolean better(double a, double b) {
        return this == MINIMIZE ? a < b : a > b;
    }
}
