package org.trainer.core.ops;

import org.trainer.core.Tensor;
import org.trainer.core.backend.BinaryOp;

/** Broadcasting comparisons; the result holds 1 where true and 0 elsewhere and has no gradient. */
public final class Compare {
    private Compare() {
    }

    /**
     * op(a, b) with broadcasting for a comparison op: 1 where true, 0 elsewhere, in a's dtype, not recorded.
     *
     * @param op EQ, NE, LT, LE, GT or GE
     * @param a the left operand
     * @param b the right operand
     * @return the 0/1 tensor
     */
    public static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        Ops.floating(op.name().toLowerCase(), a);
        Ops.compatible(op.name().toLowerCase(), a, b);
        return Arithmetic.compute(op, a, b);
    }
}
