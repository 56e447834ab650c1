package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Tensor;
import org.trainer.core.backend.UnaryOp;

/** Every elementwise unary function; forward and derivative are defined side by side in {@link UnaryOp}. */
public final class Unary extends Function {
    private final UnaryOp op;
    private final double p;
    private final Tensor x;
    private Tensor y;

    private Unary(UnaryOp op, double p, Tensor x) {
        super(x);
        this.op = op;
        this.p = p;
        this.x = x;
    }

    /**
     * op(x, p) for every element of a floating tensor, recorded for autograd.
     *
     * @param op the function
     * @param p its scalar parameter
     * @param x the tensor
     * @return the result
     */
    public static Tensor apply(UnaryOp op, double p, Tensor x) {
        Ops.floating(op.name().toLowerCase(), x);
        Unary f = new Unary(op, p, x);
        f.y = Ops.empty(x.backend(), x.dtype(), x.shape());
        x.backend().unary(op, p, x.storage(), f.y.storage());
        return f.record(f.y);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(x.backend(), x.dtype(), x.shape());
        x.backend().unaryBackward(op, p, x.storage(), y.storage(), g.storage(), gx.storage());
        return new Tensor[] {gx};
    }

    @Override
    public String name() {
        return "Unary(" + op + ")";
    }
}
