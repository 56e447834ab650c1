package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** A dense layer y = x W^T + b, with W [out, in] as PyTorch stores it; x is [..., in]. */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * PyTorch's default initialisation, seeded from {@link Seeds}.
     *
     * @param in input features
     * @param out output features
     */
    public Linear(int in, int out) {
        this(in, out, true, null, Seeds.next());
    }

    /**
     * @param in input features, at least 1
     * @param out output features, at least 1
     * @param bias whether the layer has a bias
     * @param weightInit the weight initializer, or null for PyTorch's default U(+-1/sqrt(in))
     *                   (the bias always takes that default)
     * @param seed the seed of the initial weights
     */
    public Linear(int in, int out, boolean bias, Initializer weightInit, long seed) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: in and out must be >= 1, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        Initializer wi = weightInit != null ? weightInit : Init.torchDefault(in);
        this.weight = registerParameter("weight", new Parameter(wi.create(new int[] {out, in}, seed)));
        this.bias = bias ? registerParameter("bias",
                new Parameter(Init.torchDefault(in).create(new int[] {out}, Seeds.mix(seed + 1)))) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.linear(weight.value(), bias == null ? null : bias.value());
    }

    /**
     * The weight [out, in] (PyTorch's layout).
     *
     * @return the weight
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias [out], or null when the layer has none.
     *
     * @return the bias, or null
     */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected String describe() {
        return "in=" + in + ", out=" + out + (bias == null ? ", bias=false" : "");
    }
}
