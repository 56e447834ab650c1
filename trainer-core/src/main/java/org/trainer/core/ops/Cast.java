package org.trainer.core.ops;

import org.trainer.core.DType;
import org.trainer.core.Function;
import org.trainer.core.Tensor;

/** Conversion between dtypes; differentiable between floating dtypes. */
public final class Cast extends Function {
    private final DType from;

    private Cast(Tensor x) {
        super(x);
        this.from = x.dtype();
    }

    /**
     * x converted to {@code to}; recorded for autograd when {@code to} is floating.
     *
     * @param x the tensor
     * @param to the target dtype
     * @return the converted tensor
     */
    public static Tensor apply(Tensor x, DType to) {
        Tensor out = Ops.empty(x.backend(), to, x.shape());
        x.backend().castInto(x.storage(), out.storage());
        return to.isFloating() ? new Cast(x).record(out) : out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.to(from)};
    }
}
