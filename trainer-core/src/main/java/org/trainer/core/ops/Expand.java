package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Broadcast to a larger shape, materialised; the gradient sums back over the repeated axes. */
public final class Expand extends Function {
    private final int[] from;

    private Expand(Tensor x) {
        super(x);
        this.from = x.shape();
    }

    /**
     * x broadcast to {@code target} and materialised.
     *
     * @param x the tensor
     * @param target the shape to reach
     * @return the broadcast copy
     */
    public static Tensor apply(Tensor x, int[] target) {
        int[] shape = x.shape();
        Shapes.check("broadcastTo", target);
        if (target.length < shape.length || !Arrays.equals(Shapes.broadcast("broadcastTo", shape, target), target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + Shapes.str(shape) + " cannot be broadcast to "
                    + Shapes.str(target) + " (each axis must be 1 or equal, aligned from the right)");
        }
        int[] padded = Shapes.padLeft(shape, target.length);
        int[] strides = Shapes.strides(padded);
        for (int i = 0; i < target.length; i++) {
            if (padded[i] == 1 && target[i] != 1) {
                strides[i] = 0;
            }
        }
        Tensor out = Ops.empty(x.backend(), x.dtype(), target);
        x.backend().copy(x.storage(), 0, strides, out.storage(), 0, Shapes.strides(target), target);
        return new Expand(x).record(out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Ops.sumTo(g, from)};
    }
}
