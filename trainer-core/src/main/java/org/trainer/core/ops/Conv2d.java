package org.trainer.core.ops;

import java.util.Arrays;
import java.util.Optional;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

/**
 * 2-D convolution as one matrix product per batch: the input is unfolded into columns
 * [C*KH*KW, N*OH*OW] (im2col), multiplied by the weight [OC, C*KH*KW], and the result [OC, N, OH*OW]
 * is permuted to [N, OC, OH, OW]. Backward reuses the columns: dW = dY' col^T, dcol = W^T dY',
 * dX = col2im(dcol), db = sum of dY over N, OH, OW. A backend with a fused convolution
 * ({@link org.trainer.core.backend.Fused.Conv2d#conv2d}) computes the same without the whole-batch columns.
 */
public final class Conv2d extends Function {
    private final Tensor input;
    private final Tensor weight;
    private final ConvGeometry g;
    private final int oc;
    private final boolean hasBias;
    private Tensor col;

    private Conv2d(Tensor[] inputs, Tensor weight, ConvGeometry g, int oc) {
        super(inputs);
        this.hasBias = inputs.length == 3;
        this.input = inputs[0];
        this.weight = weight;
        this.g = g;
        this.oc = oc;
    }

    /**
     * x [N, C, H, W] convolved with w [OC, C, KH, KW] plus an optional bias [OC], with per-axis (height, width) stride,
     * padding and dilation: [N, OC, OH, OW].
     *
     * @param x the input
     * @param w the kernels
     * @param bias the bias, or null
     * @param stride {height, width} steps
     * @param padding {height, width} zeros on each side
     * @param dilation {height, width} spacing of kernel taps
     * @return the output
     */
    public static Tensor apply(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        Ops.floating("conv2d", x);
        Ops.compatible("conv2d", x, w);
        int[] xs = x.shape();
        int[] ws = w.shape();
        if (xs.length != 4 || ws.length != 4) {
            throw new IllegalArgumentException("conv2d: expected input [N, C, H, W] and weight [OC, C, KH, KW], got "
                    + Shapes.str(xs) + " and " + Shapes.str(ws));
        }
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException("conv2d: input has " + xs[1] + " channels but weight " + Shapes.str(ws)
                    + " expects " + ws[1]);
        }
        int[] s = Ops.pair("conv2d", "stride", stride, 1);
        int[] p = Ops.pair("conv2d", "padding", padding, 0);
        int[] d = Ops.pair("conv2d", "dilation", dilation, 1);
        ConvGeometry g = new ConvGeometry(xs[0], xs[1], xs[2], xs[3], ws[2], ws[3], s[0], s[1], p[0], p[1], d[0], d[1]);
        if (ws[2] < 1 || ws[3] < 1 || g.outH() < 1 || g.outW() < 1) {
            throw new IllegalArgumentException("conv2d: output would be empty: input " + xs[2] + "x" + xs[3]
                    + " with kernel " + ws[2] + "x" + ws[3] + ", padding " + Arrays.toString(p) + ", dilation "
                    + Arrays.toString(d) + ", stride " + Arrays.toString(s));
        }
        int oc = ws[0];
        if (bias != null) {
            Ops.compatible("conv2d", x, bias);
            if (bias.rank() != 1 || bias.size(0) != oc) {
                throw new IllegalArgumentException("conv2d: bias shape " + Shapes.str(bias.shape()) + ", expected ["
                        + oc + "]");
            }
        }
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        Conv2d f = new Conv2d(inputs, w, g, oc);
        Backend be = x.backend();
        int[] out = {g.n(), oc, g.outH(), g.outW()};
        Tensor y = Ops.empty(be, x.dtype(), out);
        Optional<Fused.Conv2d> fused = be.capability(Fused.Conv2d.class);
        Storage b = bias == null ? null : bias.storage();
        if (fused.isPresent() && fused.get().conv2d(x.storage(), w.storage(), b, g, oc, y.storage())) {
            return f.record(y);
        }
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        int cols = g.n() * hw;
        f.col = Ops.empty(be, x.dtype(), new int[] {ckk, cols});
        be.im2col(x.storage(), g, f.col.storage());
        Tensor prod = Ops.empty(be, x.dtype(), new int[] {oc, cols});
        be.matmul(false, false, 1, oc, cols, ckk, w.storage(), 0, f.col.storage(), 0, prod.storage(), 0, false);
        // [OC, N, HW] -> [N, OC, HW]
        be.copy(prod.storage(), 0, new int[] {hw, cols, 1}, y.storage(), 0, new int[] {oc * hw, hw, 1},
                new int[] {g.n(), oc, hw});
        if (bias != null) {
            int[] ys = {g.n(), oc, hw};
            be.binary(BinaryOp.ADD, y.storage(), ys, bias.storage(), new int[] {1, oc, 1}, y.storage(), ys);
        }
        return f.record(y);
    }

    @Override
    protected Tensor[] backward(Tensor gy) {
        Backend be = gy.backend();
        if (col == null) {
            Tensor gx = needsGrad(0) ? Ops.empty(be, gy.dtype(), input.shape()) : null;
            Tensor gw = needsGrad(1) ? Ops.empty(be, gy.dtype(), weight.shape()) : null;
            Tensor gb = hasBias && needsGrad(2) ? Ops.empty(be, gy.dtype(), new int[] {oc}) : null;
            Optional<Fused.Conv2d> fused = be.capability(Fused.Conv2d.class);
            if (fused.isPresent() && fused.get().conv2dBackward(input.storage(), weight.storage(), gy.storage(), g, oc,
                    storage(gx), storage(gw), storage(gb))) {
                return hasBias ? new Tensor[] {gx, gw, gb} : new Tensor[] {gx, gw};
            }
            throw new IllegalStateException("conv2d: backend " + be + " ran the fused forward but not its backward");
        }
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        int cols = g.n() * hw;
        // [N, OC, HW] -> [OC, N, HW]
        Tensor gt = Ops.empty(be, gy.dtype(), new int[] {oc, cols});
        be.copy(gy.storage(), 0, new int[] {hw, oc * hw, 1}, gt.storage(), 0, new int[] {cols, hw, 1},
                new int[] {oc, g.n(), hw});
        Tensor gx = null;
        if (needsGrad(0)) {
            Tensor gcol = Ops.empty(be, gy.dtype(), new int[] {ckk, cols});
            be.matmul(true, false, 1, ckk, cols, oc, weight.storage(), 0, gt.storage(), 0, gcol.storage(), 0, false);
            gx = Ops.empty(be, gy.dtype(), new int[] {g.n(), g.c(), g.h(), g.w()});
            be.col2im(gcol.storage(), g, gx.storage());
        }
        Tensor gw = null;
        if (needsGrad(1)) {
            gw = Ops.empty(be, gy.dtype(), weight.shape());
            be.matmul(false, true, 1, oc, ckk, cols, gt.storage(), 0, col.storage(), 0, gw.storage(), 0, false);
        }
        if (!hasBias) {
            return new Tensor[] {gx, gw};
        }
        return new Tensor[] {gx, gw, needsGrad(2) ? gt.sum(1, false) : null};
    }

    private static org.trainer.core.backend.Storage storage(Tensor t) {
        return t == null ? null : t.storage();
    }
}
