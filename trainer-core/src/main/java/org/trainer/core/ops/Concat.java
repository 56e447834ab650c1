package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Joins tensors along an existing axis; all other sizes must agree. */
public final class Concat extends Function {
    private final int axis;
    private final int[] sizes;

    private Concat(Tensor[] inputs, int axis) {
        super(inputs);
        this.axis = axis;
        this.sizes = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            sizes[i] = inputs[i].shape()[axis];
        }
    }

    /**
     * The tensors joined along {@code axis}; throws IllegalArgumentException when none is given or the other sizes
     * differ.
     *
     * @param axis the axis
     * @param tensors the tensors
     * @return the joined tensor
     */
    public static Tensor apply(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("concat: expected at least one tensor");
        }
        int[] first = tensors[0].shape();
        int a = Shapes.axis("concat", axis, first.length);
        int total = 0;
        for (int i = 0; i < tensors.length; i++) {
            int[] s = tensors[i].shape();
            Ops.compatible("concat", tensors[0], tensors[i]);
            boolean ok = s.length == first.length;
            for (int d = 0; ok && d < s.length; d++) {
                ok = d == a || s[d] == first[d];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Shapes.str(s)
                        + ", tensor 0 has " + Shapes.str(first) + " (all axes but " + axis + " must match)");
            }
            total += s[a];
        }
        int[] outShape = first.clone();
        outShape[a] = total;
        Tensor out = Ops.empty(tensors[0].backend(), tensors[0].dtype(), outShape);
        int[] outStrides = Shapes.strides(outShape);
        int offset = 0;
        for (Tensor t : tensors) {
            int[] s = t.shape();
            t.backend().copy(t.storage(), 0, Shapes.strides(s), out.storage(), offset * outStrides[a], outStrides, s);
            offset += s[a];
        }
        return new Concat(tensors, a).record(out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[sizes.length];
        int offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            grads[i] = needsGrad(i) ? g.narrow(axis, offset, sizes[i]) : null;
            offset += sizes[i];
        }
        return grads;
    }
}
