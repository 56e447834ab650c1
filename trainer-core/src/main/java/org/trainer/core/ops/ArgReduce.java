package org.trainer.core.ops;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** argmax / argmin along one axis: int32 indices, not differentiable. */
public final class ArgReduce {
    private ArgReduce() {
    }

    /**
     * Index (int32) of the largest ({@code max}) or smallest element along {@code axis} of a floating tensor; the first
     * one on ties.
     *
     * @param max true for argmax, false for argmin
     * @param x the tensor
     * @param axis the axis to search
     * @param keepDims whether to keep it with size 1
     * @return the indices
     */
    public static Tensor apply(boolean max, Tensor x, int axis, boolean keepDims) {
        String name = max ? "argmax" : "argmin";
        Ops.floating(name, x);
        int[] shape = x.shape();
        int a = Shapes.axis(name, axis, shape.length);
        if (shape[a] == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over empty axis " + axis + " of shape "
                    + Shapes.str(shape) + " (expected a size >= 1)");
        }
        int[] kept = shape.clone();
        kept[a] = 1;
        Tensor out = Ops.empty(x.backend(), DType.INT32, kept);
        x.backend().argReduce(max, x.storage(), Ops.prod(shape, 0, a), shape[a], Ops.prod(shape, a + 1, shape.length),
                out.storage());
        return keepDims ? out : out.squeeze(a);
    }
}
