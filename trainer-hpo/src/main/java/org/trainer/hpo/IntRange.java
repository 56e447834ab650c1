package org.trainer.hpo;

import java.util.Objects;

/**
 * An integer range [low, high] (both included) with LINEAR or LOG scaling. {@link #fromUnit}
 * maps u onto the continuous range [low - 0.5, high + 0.5] in the range's scaling and rounds,
 * so every integer owns an equal share of the unit interval (in its scaling). {@code low == high}
 * fixes the parameter to that value, as Optuna allows: every sampler proposes it, and none
 * searches it.
 *
 * @param low   the smallest value (included)
 * @param high  the largest value (included)
 * @param scale LINEAR or LOG
 */
public record IntRange(int low, int high, Scale scale) implements Range {

    /**
     * Validates the range.
     *
     * @param low the smallest value
     * @param high the largest value
     * @param scale LINEAR or LOG
     * @throws IllegalArgumentException when low &gt; high, LOG with low &lt;= 0, or REVERSE_LOG
     */
    public IntRange {
        Objects.requireNonNull(scale, "IntRange: scale");
        if (low > high) {
            throw new IllegalArgumentException("IntRange: low must be <= high, got [" + low + ", " + high + "]");
        }
        if (scale == Scale.LOG && low <= 0) {
            throw new IllegalArgumentException("IntRange: LOG scaling needs low > 0, got [" + low + ", " + high + "]");
        }
        if (scale == Scale.REVERSE_LOG) {
            throw new IllegalArgumentException("IntRange: scaling must be LINEAR or LOG, got REVERSE_LOG");
        }
    }

    /** Whether low == high: the parameter has one value. */
    public boolean isFixed() {
        return low == high;
    }

    /**
     * The integers low .. high, each with an equal share of the unit interval.
     *
     * @param low the smallest value
     * @param high the largest value
     * @return the range
     */
    public static IntRange linear(int low, int high) {
        return new IntRange(low, high, Scale.LINEAR);
    }

    /**
     * The integers low .. high (low &gt; 0), spread evenly in log space.
     *
     * @param low the smallest value, positive
     * @param high the largest value
     * @return the range
     */
    public static IntRange log(int low, int high) {
        return new IntRange(low, high, Scale.LOG);
    }

    private double lo() {
        return low - 0.5; // > 0 for LOG, since low >= 1 there
    }

    private double hi() {
        return high + 0.5;
    }

    @Override
    public double toUnit(Object value) {
        return scale.toUnit(((Number) value).doubleValue(), lo(), hi());
    }

    @Override
    public Integer fromUnit(double u) {
        long r = Math.round(scale.fromUnit(Math.min(1, Math.max(0, u)), lo(), hi()));
        return (int) Math.min(high, Math.max(low, r));
    }

    @Override
    public boolean contains(Object value) {
        return value instanceof Integer i && i >= low && i <= high;
    }
}
