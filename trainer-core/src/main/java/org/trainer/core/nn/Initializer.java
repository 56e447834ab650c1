package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** Makes the initial value of a parameter of a given shape from a seed. */
@FunctionalInterface
public interface Initializer {
    /**
     * The initial value of this shape; the same seed gives the same tensor.
     *
     * @param shape the parameter's shape (axis 0 the outputs, axis 1 the inputs)
     * @param seed the seed of the draws
     * @return the initial value
     */
    Tensor create(int[] shape, long seed);
}
