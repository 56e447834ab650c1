package org.trainer.core.ops;

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
 * Softmax or log-softmax along an axis, computed stably (max subtracted). Backward:
 * softmax: dx = y (g - sum(g y)); log-softmax: dx = g - e^y sum(g). Runs the backend's
 * {@link Fused.Softmax} where it offers one, else composes both directions from reduce, binary
 * and unary primitives (a few passes more over memory).
 */
public final class Softmax extends Function {
    private final boolean log;
    private final int outer;
    private final int n;
    private final int inner;
    private Tensor y;

    private Softmax(Tensor x, boolean log, int outer, int n, int inner) {
        super(x);
        this.log = log;
        this.outer = outer;
        this.n = n;
        this.inner = inner;
    }

    /**
     * Softmax (or log-softmax with {@code log}) of a floating tensor along {@code axis}.
     *
     * @param x the tensor
     * @param axis the axis
     * @param log whether to return the log-softmax
     * @return the result
     */
    public static Tensor apply(Tensor x, int axis, boolean log) {
        String name = log ? "logSoftmax" : "softmax";
        Ops.floating(name, x);
        int[] shape = x.shape();
        int a = Shapes.axis(name, axis, shape.length);
        Softmax f = new Softmax(x, log, Ops.prod(shape, 0, a), shape[a], Ops.prod(shape, a + 1, shape.length));
        f.y = Ops.empty(x.backend(), x.dtype(), shape);
        if (f.n > 0) {
            forward(x.backend(), log, x.storage(), f.outer, f.n, f.inner, f.y.storage());
        }
        return f.record(f.y);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(g.backend(), g.dtype(), g.shape());
        if (n > 0) {
            Backend b = g.backend();
            Optional<Fused.Softmax> fused = b.capability(Fused.Softmax.class);
            if (fused.isPresent()) {
                fused.get().softmaxBackward(log, y.storage(), g.storage(), outer, n, inner, gx.storage());
            } else {
                composedBackward(b, log, y.storage(), g.storage(), outer, n, inner, gx.storage());
            }
        }
        return new Tensor[] {gx};
    }

    /**
     * (Log-)softmax of x viewed as [outer, n, inner] along the middle axis into y (n &gt; 0): the
     * backend's fused kernel where it offers one, else {@code e = exp(x - max)} and
     * {@code y = e / sum(e)}, or {@code y = (x - max) - log(sum(e))} for the log-softmax.
     */
    static void forward(Backend b, boolean log, Storage x, int outer, int n, int inner, Storage y) {
        Optional<Fused.Softmax> fused = b.capability(Fused.Softmax.class);
        if (fused.isPresent()) {
            fused.get().softmax(log, x, outer, n, inner, y);
            return;
        }
        int[] full = {outer, n, inner};
        int[] row = {outer, 1, inner};
        Storage max = b.allocate(x.dtype(), outer * inner);
        b.reduce(ReduceOp.MAX, x, outer, n, inner, max);
        Storage shifted = b.allocate(x.dtype(), x.size());
        b.binary(BinaryOp.SUB, x, full, max, row, shifted, full);
        Storage e = b.allocate(x.dtype(), x.size());
        b.unary(UnaryOp.EXP, 0, shifted, e);
        Storage sum = max;
        b.reduce(ReduceOp.SUM, e, outer, n, inner, sum);
        if (log) {
            b.unary(UnaryOp.LOG, 0, sum, sum);
            b.binary(BinaryOp.SUB, shifted, full, sum, row, y, full);
        } else {
            b.binary(BinaryOp.DIV, e, full, sum, row, y, full);
        }
    }

    /** The composed backward: gx = y (gy - sum(gy y)), or gx = gy - exp(y) sum(gy) for the log-softmax. */
    private static void composedBackward(Backend b, boolean log, Storage y, Storage gy, int outer, int n, int inner,
                                         Storage gx) {
        int[] full = {outer, n, inner};
        int[] row = {outer, 1, inner};
        Storage sum = b.allocate(y.dtype(), outer * inner);
        Storage t = b.allocate(y.dtype(), y.size());
        if (log) {
            b.reduce(ReduceOp.SUM, gy, outer, n, inner, sum);
            b.unary(UnaryOp.EXP, 0, y, t);
            Storage scaled = b.allocate(y.dtype(), y.size());
            b.binary(BinaryOp.MUL, t, full, sum, row, scaled, full);
            b.binary(BinaryOp.SUB, gy, full, scaled, full, gx, full);
        } else {
            b.binary(BinaryOp.MUL, gy, full, y, full, t, full);
            b.reduce(ReduceOp.SUM, t, outer, n, inner, sum);
            b.binary(BinaryOp.SUB, gy, full, sum, row, t, full);
            b.binary(BinaryOp.MUL, y, full, t, full, gx, full);
        }
    }

    @Override
    public String name() {
        return log ? "LogSoftmax" : "Softmax";
    }
}
