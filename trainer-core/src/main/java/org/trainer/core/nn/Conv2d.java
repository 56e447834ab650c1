package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** 2-D convolution over [N, C, H, W] with weight [out, in, k, k] (PyTorch's layout) and a bias. */
public final class Conv2d extends Module {
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A square {@code kernel} x {@code kernel} convolution with stride 1, no padding, a bias and PyTorch's
     * initialization, seeded from {@link Seeds}.
     *
     * @param in input channels
     * @param out output channels
     * @param kernel the kernel size
     */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 1, true, null, Seeds.next());
    }

    /**
     * A square convolution with this stride and zero padding, dilation 1, a bias and PyTorch's initialization, seeded
     * from {@link Seeds}.
     *
     * @param in input channels
     * @param out output channels
     * @param kernel the kernel size
     * @param stride the step between windows
     * @param padding the zeros added on every side
     */
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, true, null, Seeds.next());
    }

    /**
     * @param weightInit the weight initializer, or null for PyTorch's default U(+-1/sqrt(in*k*k))
     *
     * @param in input channels, at least 1
     * @param out output channels, at least 1
     * @param kernel the kernel size, at least 1
     * @param stride the step between windows, at least 1
     * @param padding the zeros added on every side, at least 0
     * @param dilation the spacing of kernel taps, at least 1
     * @param bias whether the layer has a bias
     * @param seed the seed of the initial weights
     */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, boolean bias,
                  Initializer weightInit, long seed) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("Conv2d: expected in, out, kernel, stride, dilation >= 1 and padding >= 0,"
                    + " got in=" + in + ", out=" + out + ", kernel=" + kernel + ", stride=" + stride + ", padding="
                    + padding + ", dilation=" + dilation);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        int fanIn = in * kernel * kernel;
        Initializer wi = weightInit != null ? weightInit : Init.torchDefault(fanIn);
        this.weight = registerParameter("weight", new Parameter(wi.create(new int[] {out, in, kernel, kernel}, seed)));
        this.bias = bias ? registerParameter("bias",
                new Parameter(Init.torchDefault(fanIn).create(new int[] {out}, Seeds.mix(seed + 1)))) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.conv2d(weight.value(), bias == null ? null : bias.value(), stride, padding, dilation);
    }

    /**
     * The kernels [out, in, kernel, kernel].
     *
     * @return the kernels
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
        return in + ", " + out + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                + (dilation != 1 ? ", dilation=" + dilation : "");
    }
}
