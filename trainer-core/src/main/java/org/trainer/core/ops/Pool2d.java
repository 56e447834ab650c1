package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.ConvGeometry;

/** Max and average pooling over [N, C, H, W]. Max routes the gradient to each window's maximum. */
public final class Pool2d extends Function {
    private final ConvGeometry g;
    private final Tensor argmax;

    private Pool2d(Tensor x, ConvGeometry g, Tensor argmax) {
        super(x);
        this.g = g;
        this.argmax = argmax;
    }

    /**
     * Max pooling of x [N, C, H, W] with per-axis (height, width) kernel, stride, padding and dilation.
     *
     * @param x the input
     * @param kernel {height, width} window
     * @param stride {height, width} steps
     * @param padding {height, width} padding
     * @param dilation {height, width} spacing
     * @return the pooled tensor
     */
    public static Tensor max(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        ConvGeometry g = geometry("maxPool2d", x, kernel, stride, padding, dilation);
        int[] out = {g.n(), g.c(), g.outH(), g.outW()};
        Tensor y = Ops.empty(x.backend(), x.dtype(), out);
        Tensor idx = Ops.empty(x.backend(), DType.INT32, out);
        x.backend().maxPool2d(x.storage(), g, y.storage(), idx.storage());
        return new Pool2d(x, g, idx).record(y);
    }

    /**
     * Average pooling of x [N, C, H, W] with per-axis (height, width) kernel, stride and padding; padded cells count in
     * the divisor.
     *
     * @param x the input
     * @param kernel {height, width} window
     * @param stride {height, width} steps
     * @param padding {height, width} zeros
     * @return the pooled tensor
     */
    public static Tensor avg(Tensor x, int[] kernel, int[] stride, int[] padding) {
        ConvGeometry g = geometry("avgPool2d", x, kernel, stride, padding, new int[] {1, 1});
        Tensor y = Ops.empty(x.backend(), x.dtype(), new int[] {g.n(), g.c(), g.outH(), g.outW()});
        x.backend().avgPool2d(x.storage(), g, y.storage());
        return new Pool2d(x, g, null).record(y);
    }

    private static ConvGeometry geometry(String op, Tensor x, int[] kernel, int[] stride, int[] padding,
                                         int[] dilation) {
        Ops.floating(op, x);
        int[] xs = x.shape();
        if (xs.length != 4) {
            throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + Shapes.str(xs));
        }
        int[] k = Ops.pair(op, "kernel", kernel, 1);
        int[] s = Ops.pair(op, "stride", stride, 1);
        int[] p = Ops.pair(op, "padding", padding, 0);
        int[] d = Ops.pair(op, "dilation", dilation, 1);
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p)
                    + " must be at most half the kernel " + Arrays.toString(k));
        }
        ConvGeometry g = new ConvGeometry(xs[0], xs[1], xs[2], xs[3], k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
        if (g.outH() < 1 || g.outW() < 1) {
            throw new IllegalArgumentException(op + ": output would be empty: input " + xs[2] + "x" + xs[3]
                    + " with kernel " + Arrays.toString(k) + ", padding " + Arrays.toString(p));
        }
        return g;
    }

    @Override
    protected Tensor[] backward(Tensor gy) {
        Tensor gx = Ops.empty(gy.backend(), gy.dtype(), new int[] {g.n(), g.c(), g.h(), g.w()});
        if (argmax != null) {
            gy.backend().maxPool2dBackward(gy.storage(), argmax.storage(), g, gx.storage());
        } else {
            gy.backend().avgPool2dBackward(gy.storage(), g, gx.storage());
        }
        return new Tensor[] {gx};
    }

    @Override
    public String name() {
        return argmax != null ? "MaxPool2d" : "AvgPool2d";
    }
}
