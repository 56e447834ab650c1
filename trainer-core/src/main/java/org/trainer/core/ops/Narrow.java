package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** A contiguous range of one axis, copied out; its gradient is scattered back into zeros. */
public final class Narrow extends Function {
    private final int[] inShape;
    private final int axis;
    private final int start;

    private Narrow(Tensor x, int axis, int start) {
        super(x);
        this.inShape = x.shape();
        this.axis = axis;
        this.start = start;
    }

    /**
     * Elements start .. start + length - 1 along {@code axis}, copied; throws IllegalArgumentException when the range
     * leaves the axis.
     *
     * @param x the tensor
     * @param axis the axis
     * @param start the first index
     * @param length the number of indices
     * @return the copy
     */
    public static Tensor apply(Tensor x, int axis, int start, int length) {
        int[] shape = x.shape();
        int a = Shapes.axis("narrow", axis, shape.length);
        if (start < 0 || length < 0 || start + length > shape[a]) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length
                    + " do not fit axis " + axis + " of size " + shape[a] + " (shape " + Shapes.str(shape) + ")");
        }
        int[] outShape = shape.clone();
        outShape[a] = length;
        Tensor out = Ops.empty(x.backend(), x.dtype(), outShape);
        int[] strides = Shapes.strides(shape);
        x.backend().copy(x.storage(), start * strides[a], strides, out.storage(), 0, Shapes.strides(outShape), outShape);
        return new Narrow(x, a, start).record(out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Tensor.zeros(g.backend(), g.dtype(), inShape);
        int[] strides = Shapes.strides(inShape);
        int[] gShape = g.shape();
        g.backend().copy(g.storage(), 0, Shapes.strides(gShape), gx.storage(), start * strides[axis], strides, gShape);
        return new Tensor[] {gx};
    }
}
