package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Elementwise selection: cond != 0 ? a : b, with broadcasting of all three; cond may have any dtype. */
public final class Where extends Function {
    private final Tensor cond;
    private final Tensor a;
    private final Tensor b;

    private Where(Tensor cond, Tensor a, Tensor b) {
        super(cond, a, b);
        this.cond = cond;
        this.a = a;
        this.b = b;
    }

    /**
     * cond != 0 ? a : b elementwise, all three broadcast; cond may have any dtype and must be on a's device.
     *
     * @param cond the condition
     * @param a the values where it holds
     * @param b the values elsewhere
     * @return the selection
     */
    public static Tensor apply(Tensor cond, Tensor a, Tensor b) {
        Ops.compatible("where", a, b);
        if (!cond.device().equals(a.device())) {
            throw new IllegalArgumentException("where: condition is on " + cond.device() + ", values on " + a.device());
        }
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = Ops.empty(a.backend(), a.dtype(), shape);
        a.backend().where(cond.storage(), Shapes.padLeft(cond.shape(), shape.length), a.storage(),
                Shapes.padLeft(a.shape(), shape.length), b.storage(), Shapes.padLeft(b.shape(), shape.length),
                out.storage(), shape);
        return new Where(cond, a, b).record(out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor zero = Tensor.zeros(g.backend(), g.dtype(), 1);
        Tensor ga = needsGrad(1) ? Ops.sumTo(apply(cond, g, zero), a.shape()) : null;
        Tensor gb = needsGrad(2) ? Ops.sumTo(apply(cond, zero, g), b.shape()) : null;
        return new Tensor[] {null, ga, gb};
    }
}
