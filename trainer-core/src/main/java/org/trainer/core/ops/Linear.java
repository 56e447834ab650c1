package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;

/**
 * The affine map y = x W^T + b of a dense layer, with W stored [out, in] as PyTorch stores it, so
 * no transposed copy is made. x is [..., in]; leading axes are folded into one batch axis.
 * Backward: dx = dy W, dW = dy^T x, db = sum of dy over the batch.
 */
public final class Linear extends Function {
    private final Tensor x;
    private final Tensor w;
    private final boolean hasBias;
    private final int rows;
    private final int in;
    private final int out;

    private Linear(Tensor[] inputs, Tensor x, Tensor w, int rows, int in, int out) {
        super(inputs);
        this.x = x;
        this.w = w;
        this.hasBias = inputs.length == 3;
        this.rows = rows;
        this.in = in;
        this.out = out;
    }

    /**
     * x [..., in] W^T + b for W [out, in] and an optional b [out]: [..., out].
     *
     * @param x the input
     * @param weight W
     * @param bias b, or null
     * @return the output
     */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        Ops.floating("linear", x);
        Ops.compatible("linear", x, weight);
        int[] xs = x.shape();
        int[] ws = weight.shape();
        if (ws.length != 2 || xs.length < 1 || xs[xs.length - 1] != ws[1]) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(xs) + " does not fit weight "
                    + Shapes.str(ws) + " (expected input [..., " + (ws.length == 2 ? ws[1] : "in")
                    + "] and weight [out, in])");
        }
        int in = ws[1];
        int out = ws[0];
        if (bias != null) {
            Ops.compatible("linear", x, bias);
            if (bias.rank() != 1 || bias.size(0) != out) {
                throw new IllegalArgumentException("linear: bias shape " + Shapes.str(bias.shape()) + ", expected ["
                        + out + "]");
            }
        }
        int rows = in == 0 ? Shapes.numel(xs) : x.numel() / in;
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = out;
        Backend be = x.backend();
        Tensor y = Ops.empty(be, x.dtype(), outShape);
        be.matmul(false, true, 1, rows, out, in, x.storage(), 0, weight.storage(), 0, y.storage(), 0, false);
        if (bias != null) {
            int[] ys = {rows, out};
            be.binary(BinaryOp.ADD, y.storage(), ys, bias.storage(), new int[] {1, out}, y.storage(), ys);
        }
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return new Linear(inputs, x, weight, rows, in, out).record(y);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Backend be = g.backend();
        Tensor gx = null;
        if (needsGrad(0)) {
            gx = Ops.empty(be, g.dtype(), x.shape());
            be.matmul(false, false, 1, rows, in, out, g.storage(), 0, w.storage(), 0, gx.storage(), 0, false);
        }
        Tensor gw = null;
        if (needsGrad(1)) {
            gw = Ops.empty(be, g.dtype(), w.shape());
            be.matmul(true, false, 1, out, in, rows, g.storage(), 0, x.storage(), 0, gw.storage(), 0, false);
        }
        if (!hasBias) {
            return new Tensor[] {gx, gw};
        }
        Tensor gb = needsGrad(2) ? g.reshape(rows, out).sum(0, false) : null;
        return new Tensor[] {gx, gw, gb};
    }
}
