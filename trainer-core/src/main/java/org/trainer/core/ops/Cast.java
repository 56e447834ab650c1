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

    public static Tensor apply(Tensor x, DType to) {
        Tensor out = Tensor.wrap(x.backend().cast(x.storage(), to), x.shape());
        return to.isFloating() ? new Cast(x).record(out) : out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.to(from)};
    }
}
