package org.trainer.core.ops;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** A new shape over the same storage (a view). */
public final class Reshape extends Function {
    private final int[] from;

    private Reshape(Tensor x) {
        super(x);
        this.from = x.shape();
    }

    /**
     * A view of x with this shape (one size may be -1, inferred); the number of elements must not change.
     *
     * @param x the tensor
     * @param shape the new shape
     * @return the view
     */
    public static Tensor apply(Tensor x, int[] shape) {
        int[] target = shape.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && infer < 0) {
                infer = i;
            } else if (target[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid size " + target[i] + " at axis " + i + " of "
                        + Shapes.str(shape) + " (only one -1 is allowed)");
            } else {
                known *= target[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Shapes.str(shape) + " for "
                        + x.numel() + " elements of shape " + Shapes.str(x.shape()));
            }
            target[infer] = x.numel() / known;
        }
        if (Shapes.numel(target) != x.numel()) {
            throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape) + " holds " + Shapes.numel(target)
                    + " elements, tensor of shape " + Shapes.str(x.shape()) + " has " + x.numel());
        }
        return new Reshape(x).record(Tensor.wrap(x.storage(), target));
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.reshape(from)};
    }
}
