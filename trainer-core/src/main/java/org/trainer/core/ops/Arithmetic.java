package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.BinaryOp;

/** Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum. */
public final class Arithmetic extends Function {
    private final BinaryOp op;
    private final Tensor a;
    private final Tensor b;
    private Tensor out;

    private Arithmetic(BinaryOp op, Tensor a, Tensor b) {
        super(a, b);
        this.op = op;
        this.a = a;
        this.b = b;
    }

    /**
     * op(a, b) with broadcasting, recorded for autograd; a must be floating and b compatible with it.
     *
     * @param op the operation
     * @param a the left operand
     * @param b the right operand
     * @return the result
     */
    public static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        Ops.floating(name, a);
        Ops.compatible(name, a, b);
        Arithmetic f = new Arithmetic(op, a, b);
        f.out = compute(op, a, b);
        return f.record(f.out);
    }

    /** The broadcast result of op(a, b) without recording anything (comparisons use it too). */
    static Tensor compute(BinaryOp op, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = Ops.empty(a.backend(), a.dtype(), shape);
        a.backend().binary(op, a.storage(), Shapes.padLeft(a.shape(), shape.length), b.storage(),
                Shapes.padLeft(b.shape(), shape.length), out.storage(), shape);
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor ga = null;
        Tensor gb = null;
        switch (op) {
            case ADD -> {
                ga = g;
                gb = g;
            }
            case SUB -> {
                ga = g;
                gb = needsGrad(1) ? g.neg() : null;
            }
            case MUL -> {
                ga = needsGrad(0) ? g.mul(b) : null;
                gb = needsGrad(1) ? g.mul(a) : null;
            }
            case DIV -> {
                ga = needsGrad(0) ? g.div(b) : null;
                gb = needsGrad(1) ? g.mul(out).div(b).neg() : null;
            }
            case POW -> {
                // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a
                ga = needsGrad(0) ? g.mul(b).mul(a.pow(b.sub(1))) : null;
                gb = needsGrad(1) ? g.mul(out).mul(a.log()) : null;
            }
            case MAX, MIN -> {
                // The larger (smaller) operand takes the gradient; ties split it evenly, as torch.maximum.
                Tensor pick = op == BinaryOp.MAX ? a.gt(b) : a.lt(b);
                Tensor tie = a.eq(b).mul(0.5);
                Tensor share = pick.add(tie);
                ga = g.mul(share);
                gb = g.mul(share.neg().add(1));
            }
            default -> throw new IllegalStateException("not differentiable: " + op);
        }
        return new Tensor[] {ga == null ? null : Ops.sumTo(ga, a.shape()), gb == null ? null : Ops.sumTo(gb, b.shape())};
    }

    @Override
    public String name() {
        return "Arithmetic(" + op + ")";
    }
}
