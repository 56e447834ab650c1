package org.trainer.core.nn;

import java.util.Arrays;

import org.trainer.core.Tensor;

/**
 * Layer normalisation over the trailing axes given by {@code normalizedShape}:
 * y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance, per sample.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Normalises over the trailing axes of this shape with eps 1e-5 (PyTorch's default).
     *
     * @param normalizedShape the sizes of the trailing axes to normalise over
     */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5);
    }

    /**
     * Normalises over the trailing axes of this shape, adding eps to the variance; weight starts at ones and bias at
     * zeros, both of this shape.
     *
     * @param normalizedShape the sizes of the trailing axes to normalise over, each at least 1
     * @param eps added to the variance
     */
    public LayerNorm(int[] normalizedShape, double eps) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must be non-empty sizes >= 1, got "
                    + Arrays.toString(normalizedShape));
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(normalizedShape)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(normalizedShape)));
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        int[] s = x.shape();
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: input " + Arrays.toString(s) + " does not end with "
                    + Arrays.toString(normalizedShape));
        }
        return x.layerNorm(weight.value(), bias.value(), eps);
    }

    @Override
    protected String describe() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
