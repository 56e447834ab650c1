package org.trainer.hpo;

import java.util.Objects;

/**
 * A continuous range [low, high] with a {@link Scale}. {@code low == high} fixes the parameter to
 * that value, as Optuna allows: every sampler proposes it, and none searches it.
 *
 * @param low   the smallest value (included)
 * @param high  the largest value (included)
 * @param scale how values are spread over the unit interval that samplers work in
 */
public record FloatRange(double low, double high, Scale scale) implements Range {

    /**
     * Validates the range.
     *
     * @param low the smallest value
     * @param high the largest value
     * @param scale the scaling
     * @throws IllegalArgumentException when low or high is not finite, low &gt; high, LOG with
     *         low &lt;= 0, or REVERSE_LOG outside 0 &lt;= low &lt;= high &lt; 1
     */
    public FloatRange {
        Objects.requireNonNull(scale, "FloatRange: scale");
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("FloatRange: low and high must be finite, got [" + low + ", " + high + "]");
        }
        if (low > high) {
            throw new IllegalArgumentException("FloatRange: low must be <= high, got [" + low + ", " + high + "]");
        }
        if (scale == Scale.LOG && low <= 0) {
            throw new IllegalArgumentException("FloatRange: LOG scaling needs low > 0, got [" + low + ", " + high + "]");
        }
        if (scale == Scale.REVERSE_LOG && (low < 0 || high >= 1)) {
            throw new IllegalArgumentException(
                    "FloatRange: REVERSE_LOG scaling needs 0 <= low <= high < 1, got [" + low + ", " + high + "]");
        }
    }

    /**
     * [low, high] spread evenly.
     *
     * @param low the smallest value
     * @param high the largest value
     * @return the range
     */
    public static FloatRange linear(double low, double high) {
        return new FloatRange(low, high, Scale.LINEAR);
    }

    /**
     * [low, high] spread evenly in log space (low &gt; 0): for values spanning orders of magnitude.
     *
     * @param low the smallest value, positive
     * @param high the largest value
     * @return the range
     */
    public static FloatRange log(double low, double high) {
        return new FloatRange(low, high, Scale.LOG);
    }

    /**
     * [low, high] with fine resolution close to 1 (0 &lt;= low &lt; high &lt; 1): for momentum or decay rates.
     *
     * @param low the smallest value, at least 0
     * @param high the largest value, below 1
     * @return the range
     */
    public static FloatRange reverseLog(double low, double high) {
        return new FloatRange(low, high, Scale.REVERSE_LOG);
    }

    /** Whether low == high: the parameter has one value. */
    public boolean isFixed() {
        return low == high;
    }

    /** The position in [0, 1]; for a fixed range 0.5 at its value, -inf below and +inf above. */
    @Override
    public double toUnit(Object value) {
        double x = ((Number) value).doubleValue();
        if (isFixed()) {
            return x == low ? 0.5 : x < low ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return scale.toUnit(x, low, high);
    }

    @Override
    public Double fromUnit(double u) {
        return scale.fromUnit(Math.min(1, Math.max(0, u)), low, high);
    }

    @Override
    public boolean contains(Object value) {
        return value instanceof Double d && d >= low && d <= high;
    }
}
