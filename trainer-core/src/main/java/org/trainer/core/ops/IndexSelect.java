package org.trainer.core.ops;

import org.trainer.core.DType;
import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Picks slices along an axis by int32 indices (an embedding lookup); backward scatter-adds. */
public final class IndexSelect extends Function {
    private final int[] inShape;
    private final Tensor index;
    private final int outer;
    private final int inner;

    private IndexSelect(Tensor x, Tensor index, int outer, int inner) {
        super(x);
        this.inShape = x.shape();
        this.index = index;
        this.outer = outer;
        this.inner = inner;
    }

    /**
     * The slices of x along {@code axis} at the int32 indices of a rank-1 {@code index}, in order.
     *
     * @param x the tensor
     * @param axis the axis
     * @param index the int32 indices
     * @return the selected slices
     */
    public static Tensor apply(Tensor x, int axis, Tensor index) {
        int[] shape = x.shape();
        int a = Shapes.axis("indexSelect", axis, shape.length);
        if (index.dtype() != DType.INT32 || index.rank() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be a rank-1 INT32 tensor, got "
                    + index.dtype() + " of shape " + Shapes.str(index.shape()));
        }
        int[] idx = index.toIntArray();
        checkRange(idx, axis, shape[a]);
        int outer = Ops.prod(shape, 0, a);
        int inner = Ops.prod(shape, a + 1, shape.length);
        int[] outShape = shape.clone();
        outShape[a] = idx.length;
        Tensor out = Ops.empty(x.backend(), x.dtype(), outShape);
        Tensor onDevice = index.to(x.device());
        x.backend().indexSelect(x.storage(), outer, shape[a], inner, onDevice.storage(), idx.length, out.storage());
        return new IndexSelect(x, onDevice, outer, inner).record(out);
    }

    /**
     * The index check, in a method of its own: its loop, over a whole batch of indices, makes the
     * JIT compile the method that holds it early (on-stack replacement). This one is small; all of
     * {@link #apply}, with what it inlines, took C2 about 0.3 s in the second and third seconds of a
     * training run, when training wants every core.
     */
    private static void checkRange(int[] idx, int axis, int size) {
        for (int j = 0; j < idx.length; j++) {
            if (idx[j] < 0 || idx[j] >= size) {
                throw new IllegalArgumentException("indexSelect: index " + idx[j] + " at position " + j
                        + " is out of range for axis " + axis + " of size " + size);
            }
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(g.backend(), g.dtype(), inShape);
        int axisSize = inShape.length == 0 ? 1 : Shapes.numel(inShape) / Math.max(1, outer * inner);
        g.backend().indexAdd(g.storage(), outer, axisSize, inner, index.storage(), index.numel(), gx.storage());
        return new Tensor[] {gx};
    }
}
