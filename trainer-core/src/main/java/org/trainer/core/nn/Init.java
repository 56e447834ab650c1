package org.trainer.core.nn;

import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * Weight initializers, with PyTorch's fan convention: for a weight [out, in, k1, k2, ...],
 * fanIn = in * k1 * k2 ... and fanOut = out * k1 * k2 .... Gains: 1 for linear/sigmoid, sqrt(2)
 * for ReLU (the default of the Kaiming initializers).
 */
public final class Init {
    private Init() {
    }

    static int fanIn(int[] shape) {
        return shape.length < 2 ? shape[0] : shape[1] * receptive(shape);
    }

    static int fanOut(int[] shape) {
        return shape[0] * receptive(shape);
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    /**
     * U(a, b).
     *
     * @param a the lower bound
     * @param b the upper bound
     * @return the initializer
     */
    public static Initializer uniform(double a, double b) {
        return (shape, seed) -> Tensor.random(DType.FLOAT32, false, a, b, seed, shape);
    }

    /**
     * N(mean, std^2).
     *
     * @param mean the mean
     * @param std the standard deviation
     * @return the initializer
     */
    public static Initializer normal(double mean, double std) {
        return (shape, seed) -> Tensor.random(DType.FLOAT32, true, mean, std, seed, shape);
    }

    /**
     * All zeros (float32).
     *
     * @return the initializer
     */
    public static Initializer zeros() {
        return (shape, seed) -> Tensor.zeros(shape);
    }

    /**
     * All ones (float32).
     *
     * @return the initializer
     */
    public static Initializer ones() {
        return (shape, seed) -> Tensor.ones(shape);
    }

    /**
     * Glorot/Xavier uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)).
     *
     * @param gain the scale for the activation (1 for linear or sigmoid)
     * @return the initializer
     */
    public static Initializer xavierUniform(double gain) {
        return (shape, seed) -> {
            double b = gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
            return uniform(-b, b).create(shape, seed);
        };
    }

    /**
     * Glorot/Xavier normal: N(0, s^2) with s = gain * sqrt(2 / (fanIn + fanOut)).
     *
     * @param gain the scale for the activation (1 for linear or sigmoid)
     * @return the initializer
     */
    public static Initializer xavierNormal(double gain) {
        return (shape, seed) -> normal(0, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape)))).create(shape, seed);
    }

    /**
     * He/Kaiming uniform for ReLU: U(-b, b) with b = sqrt(2) * sqrt(3 / fanIn).
     *
     * @return the initializer
     */
    public static Initializer kaimingUniform() {
        return (shape, seed) -> {
            double b = Math.sqrt(2) * Math.sqrt(3.0 / fanIn(shape));
            return uniform(-b, b).create(shape, seed);
        };
    }

    /**
     * He/Kaiming normal for ReLU: N(0, s^2) with s = sqrt(2 / fanIn).
     *
     * @return the initializer
     */
    public static Initializer kaimingNormal() {
        return (shape, seed) -> normal(0, Math.sqrt(2.0 / fanIn(shape))).create(shape, seed);
    }

    /**
     * LeCun uniform: U(-b, b) with b = sqrt(3 / fanIn).
     *
     * @return the initializer
     */
    public static Initializer lecunUniform() {
        return (shape, seed) -> {
            double b = Math.sqrt(3.0 / fanIn(shape));
            return uniform(-b, b).create(shape, seed);
        };
    }

    /**
     * LeCun normal: N(0, s^2) with s = sqrt(1 / fanIn).
     *
     * @return the initializer
     */
    public static Initializer lecunNormal() {
        return (shape, seed) -> normal(0, Math.sqrt(1.0 / fanIn(shape))).create(shape, seed);
    }

    /**
     * PyTorch's default for Linear and Conv2d weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)),
     * where fanIn is that of the layer's weight (passed in, since a bias's own shape lacks it).
     */
    static Initializer torchDefault(int weightFanIn) {
        double b = weightFanIn > 0 ? 1 / Math.sqrt(weightFanIn) : 0;
        return uniform(-b, b);
    }
}
