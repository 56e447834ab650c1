package org.trainer.core.ops;

import java.util.Arrays;
import java.util.Optional;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;

/**
 * Layer normalisation over the trailing axes that the weight's shape names, with an elementwise
 * scale and shift: per row of n = weight.numel() elements, {@code y = (x - mean) * rstd * weight + bias}
 * with the row's mean, its biased variance var and {@code rstd = 1 / sqrt(var + eps)}. Backward, with
 * {@code xhat = (x - mean) * rstd} and {@code gh = gy * weight}:
 * {@code gx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat))} (means over the row),
 * {@code gWeight = sum over rows of gy * xhat}, {@code gBias = sum over rows of gy}. Runs the backend's
 * {@link Fused.LayerNorm} where it offers one (one pass over x forward, two backward), else composes
 * both directions from reduce, binary and unary primitives.
 */
public final class LayerNorm extends Function {
    private final Tensor x;
    private final Tensor weight;
    private final int rows;
    private final int n;
    private Tensor mean;
    private Tensor rstd;

    private LayerNorm(Tensor x, Tensor weight, Tensor bias, int rows, int n) {
        super(x, weight, bias);
        this.x = x;
        this.weight = weight;
        this.rows = rows;
        this.n = n;
    }

    /**
     * Normalises x over its trailing axes of weight's shape, then scales by weight and shifts by bias.
     *
     * @param x the input [..., *weight.shape()]
     * @param weight the scale, of the normalised axes' shape
     * @param bias the shift, of weight's shape
     * @param eps added to the variance, at least 0
     * @return the output, of x's shape
     */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, double eps) {
        Ops.floating("layerNorm", x);
        Ops.compatible("layerNorm", x, weight);
        Ops.compatible("layerNorm", x, bias);
        int[] xs = x.shape();
        int[] ws = weight.shape();
        int k = ws.length;
        if (k == 0 || xs.length < k || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), ws)) {
            throw new IllegalArgumentException("layerNorm: input " + Shapes.str(xs)
                    + " does not end with weight's shape " + Shapes.str(ws));
        }
        if (!Arrays.equals(bias.shape(), ws)) {
            throw new IllegalArgumentException("layerNorm: bias shape " + Shapes.str(bias.shape())
                    + ", expected weight's " + Shapes.str(ws));
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("layerNorm: eps must be >= 0, got " + eps);
        }
        int n = Shapes.numel(ws);
        int rows = n == 0 ? 0 : x.numel() / n;
        LayerNorm f = new LayerNorm(x, weight, bias, rows, n);
        Backend b = x.backend();
        Tensor y = Ops.empty(b, x.dtype(), xs);
        f.mean = Ops.empty(b, x.dtype(), new int[] {rows});
        f.rstd = Ops.empty(b, x.dtype(), new int[] {rows});
        if (rows > 0 && n > 0) {
            Optional<Fused.LayerNorm> fused = b.capability(Fused.LayerNorm.class);
            if (fused.isPresent()) {
                fused.get().layerNorm(x.storage(), weight.storage(), bias.storage(), rows, n, eps, y.storage(),
                        f.mean.storage(), f.rstd.storage());
            } else {
                composedForward(b, x.storage(), weight.storage(), bias.storage(), rows, n, eps, y.storage(),
                        f.mean.storage(), f.rstd.storage());
            }
        }
        return f.record(y);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Backend b = g.backend();
        Tensor gx = Ops.empty(b, g.dtype(), x.shape());
        Tensor gw = Ops.empty(b, g.dtype(), weight.shape());
        Tensor gb = Ops.empty(b, g.dtype(), weight.shape());
        if (rows == 0 || n == 0) {
            b.fill(gx.storage(), 0);
            b.fill(gw.storage(), 0);
            b.fill(gb.storage(), 0);
        } else {
            Optional<Fused.LayerNorm> fused = b.capability(Fused.LayerNorm.class);
            if (fused.isPresent()) {
                fused.get().layerNormBackward(x.storage(), weight.storage(), mean.storage(), rstd.storage(),
                        g.storage(), rows, n, gx.storage(), gw.storage(), gb.storage());
            } else {
                composedBackward(b, x.storage(), weight.storage(), mean.storage(), rstd.storage(), g.storage(), rows, n,
                        gx.storage(), gw.storage(), gb.storage());
            }
        }
        return new Tensor[] {needsGrad(0) ? gx : null, needsGrad(1) ? gw : null, needsGrad(2) ? gb : null};
    }

    /**
     * The forward from primitives: the statistics by row sums, then y in four broadcast passes (no
     * binary writes over one of its operands).
     */
    private static void composedForward(Backend b, Storage x, Storage w, Storage bias, int rows, int n, double eps,
                                        Storage y, Storage mean, Storage rstd) {
        int[] full = {rows, n};
        int[] col = {rows, 1};
        int[] row = {1, n};
        b.reduce(ReduceOp.SUM, x, rows, n, 1, mean);
        b.unary(UnaryOp.SCALE, 1.0 / n, mean, mean);
        Storage centred = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.SUB, x, full, mean, col, centred, full);
        b.binary(BinaryOp.MUL, centred, full, centred, full, y, full);
        b.reduce(ReduceOp.SUM, y, rows, n, 1, rstd);
        b.unary(UnaryOp.SCALE, 1.0 / n, rstd, rstd);
        b.unary(UnaryOp.SHIFT, eps, rstd, rstd);
        b.unary(UnaryOp.SQRT, 0, rstd, rstd);
        b.unary(UnaryOp.RECIPROCAL, 0, rstd, rstd);
        Storage xhat = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.MUL, centred, full, rstd, col, xhat, full);
        b.binary(BinaryOp.MUL, xhat, full, w, row, centred, full);
        b.binary(BinaryOp.ADD, centred, full, bias, row, y, full);
    }

    /** The backward from primitives, the formulas of the type's Javadoc one pass at a time. */
    private static void composedBackward(Backend b, Storage x, Storage w, Storage mean, Storage rstd, Storage gy,
                                         int rows, int n, Storage gx, Storage gw, Storage gb) {
        int[] full = {rows, n};
        int[] col = {rows, 1};
        int[] row = {1, n};
        Storage centred = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.SUB, x, full, mean, col, centred, full);
        Storage xhat = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.MUL, centred, full, rstd, col, xhat, full);
        Storage t = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.MUL, gy, full, xhat, full, t, full);
        b.reduce(ReduceOp.SUM, t, 1, rows, n, gw);
        b.reduce(ReduceOp.SUM, gy, 1, rows, n, gb);
        Storage gh = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.MUL, gy, full, w, row, gh, full);
        Storage meanGh = b.allocate(x.dtype(), rows);
        b.reduce(ReduceOp.SUM, gh, rows, n, 1, meanGh);
        b.unary(UnaryOp.SCALE, 1.0 / n, meanGh, meanGh);
        b.binary(BinaryOp.MUL, gh, full, xhat, full, t, full);
        Storage meanGhXhat = b.allocate(x.dtype(), rows);
        b.reduce(ReduceOp.SUM, t, rows, n, 1, meanGhXhat);
        b.unary(UnaryOp.SCALE, 1.0 / n, meanGhXhat, meanGhXhat);
        b.binary(BinaryOp.MUL, xhat, full, meanGhXhat, col, centred, full);
        b.binary(BinaryOp.SUB, gh, full, centred, full, t, full);
        b.binary(BinaryOp.SUB, t, full, meanGh, col, gh, full);
        b.binary(BinaryOp.MUL, gh, full, rstd, col, gx, full);
    }

    @Override
    public String name() {
        return "LayerNorm";
    }
}
