package org.trainer.hpo;

/**
 * How a numeric range maps onto the unit interval [0, 1] that samplers work in.
 *
 * <ul>
 *   <li>LINEAR: u = (x - low) / (high - low).</li>
 *   <li>LOG: u = (ln x - ln low) / (ln high - ln low); needs low &gt; 0. For ranges spanning
 *       orders of magnitude (learning rates, weight decay).</li>
 *   <li>REVERSE_LOG: u = (ln(1 - low) - ln(1 - x)) / (ln(1 - low) - ln(1 - high)), SageMaker's
 *       ReverseLogarithmic: log scaling of 1 - x, fine resolution close to 1; for values in
 *       [0, 1) such as momentum or an exponential-average decay; needs 0 &lt;= low and high &lt; 1.</li>
 * </ul>
 */
public enum Scale {
    /** u = (x - low) / (high - low). */
    LINEAR,
    /** u = (ln x - ln low) / (ln high - ln low); needs low &gt; 0. */
    LOG,
    /** Log scaling of 1 - x: fine resolution close to 1; needs 0 &lt;= low and high &lt; 1. */
    REVERSE_LOG;

    /**
     * x in [low, high] to u in [0, 1].
     *
     * @param x the value
     * @param low the range's low end
     * @param high the range's high end
     * @return u
     */
    public double toUnit(double x, double low, double high) {
        return switch (this) {
            case LINEAR -> (x - low) / (high - low);
            case LOG -> (Math.log(x) - Math.log(low)) / (Math.log(high) - Math.log(low));
            case REVERSE_LOG -> (Math.log1p(-low) - Math.log1p(-x)) / (Math.log1p(-low) - Math.log1p(-high));
        };
    }

    /**
     * u in [0, 1] to x in [low, high], the inverse of {@link #toUnit}; clamped to the range.
     *
     * @param u the position
     * @param low the range's low end
     * @param high the range's high end
     * @return x
     */
    public double fromUnit(double u, double low, double high) {
        double x = switch (this) {
            case LINEAR -> low + u * (high - low);
            case LOG -> Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low)));
            case REVERSE_LOG -> -Math.expm1(Math.log1p(-low) + u * (Math.log1p(-high) - Math.log1p(-low)));
        };
        return Math.min(high, Math.max(low, x));
    }
}
