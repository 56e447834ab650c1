package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** Max pooling over [N, C, H, W]; the stride defaults to the kernel size, as in PyTorch. */
public final class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * Square windows of {@code kernel} x {@code kernel}, stride {@code kernel}, no padding.
     *
     * @param kernel the window size, at least 1
     */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /**
     * Square windows of {@code kernel} x {@code kernel} with this stride and padding on each side (padding counts as
     * -infinity).
     *
     * @param kernel the window size, at least 1
     * @param stride the step between windows
     * @param padding the padding on every side
     */
    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool2d(kernel, stride, padding);
    }

    @Override
    protected String describe() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}
