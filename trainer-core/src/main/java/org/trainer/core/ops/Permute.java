package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Axis reordering, materialised by one strided copy. */
public final class Permute extends Function {
    private final int[] inverse;

    private Permute(Tensor x, int[] inverse) {
        super(x);
        this.inverse = inverse;
    }

    /**
     * x with result axis i taken from axis perm[i]; perm must name every axis once.
     *
     * @param x the tensor
     * @param perm the permutation
     * @return the reordered copy
     */
    public static Tensor apply(Tensor x, int[] perm) {
        int[] shape = x.shape();
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("permute: " + perm.length + " axes given for a tensor of rank "
                    + shape.length + " (shape " + Shapes.str(shape) + ")");
        }
        int[] inverse = new int[perm.length];
        boolean[] used = new boolean[perm.length];
        int[] p = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            p[i] = Shapes.axis("permute", perm[i], perm.length);
            if (used[p[i]]) {
                throw new IllegalArgumentException("permute: axis " + perm[i] + " appears twice in "
                        + java.util.Arrays.toString(perm));
            }
            used[p[i]] = true;
            inverse[p[i]] = i;
        }
        int[] outShape = new int[shape.length];
        int[] inStrides = Shapes.strides(shape);
        int[] srcStrides = new int[shape.length];
        for (int i = 0; i < p.length; i++) {
            outShape[i] = shape[p[i]];
            srcStrides[i] = inStrides[p[i]];
        }
        Tensor out = Ops.empty(x.backend(), x.dtype(), outShape);
        x.backend().copy(x.storage(), 0, srcStrides, out.storage(), 0, Shapes.strides(outShape), outShape);
        return new Permute(x, inverse).record(out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.permute(inverse)};
    }
}
