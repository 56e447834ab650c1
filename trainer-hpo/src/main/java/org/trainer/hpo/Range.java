package org.trainer.hpo;

/**
 * The values one hyperparameter may take, and their map onto the unit interval that samplers
 * work in. A sampler proposes u in [0, 1] per dimension (or a choice index for a categorical);
 * {@link #fromUnit} turns it into a value in the range's own scaling.
 */
public sealed interface Range permits FloatRange, IntRange, CategoricalRange {

    /**
     * The value's position in [0, 1] in this range's scaling (for a categorical: index / (k - 1), 0 when k = 1).
     *
     * @param value a value of the range
     * @return its position in [0, 1]
     */
    double toUnit(Object value);

    /**
     * The value at position u in [0, 1] (clamped): rounded for integers, the nearest choice for categoricals.
     *
     * @param u a position in [0, 1]
     * @return the value there
     */
    Object fromUnit(double u);

    /**
     * Whether {@code value} is a legal value of this range (type and bounds).
     *
     * @param value any value
     * @return whether the range holds it
     */
    boolean contains(Object value);
}
