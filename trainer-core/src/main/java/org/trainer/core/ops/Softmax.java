package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Softmax or log-softmax along an axis, computed stably (max subtracted). Backward:
 * softmax: dx = y (g - sum(g y)); log-softmax: dx = g - e^y sum(g).
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
            x.backend().softmax(log, x.storage(), f.outer, f.n, f.inner, f.y.storage());
        }
        return f.record(f.y);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(g.backend(), g.dtype(), g.shape());
        if (n > 0) {
            g.backend().softmaxBackward(log, y.storage(), g.storage(), outer, n, inner, gx.storage());
        }
        return new Tensor[] {gx};
    }

    @Override
    public String name() {
        return log ? "LogSoftmax" : "Softmax";
    }
}
