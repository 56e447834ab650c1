package org.trainer.core.loss;

import java.util.Arrays;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Argument checks that the losses share, so that every loss refuses bad input in the same words. */
final class LossChecks {
    private LossChecks() {
    }

    /** Refuses a null tensor or one that is not floating. */
    static void floating(String loss, String argument, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(loss + ": " + argument + " is null");
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(loss + ": " + argument + " must be a floating tensor, got "
                    + t.dtype() + " of shape " + Shapes.str(t.shape()));
        }
    }

    /**
     * Checks an elementwise loss's operands and returns the target in the prediction's dtype. Shapes
     * must be equal: PyTorch broadcasts here with only a warning, which hides a [N] vs [N, 1] mistake
     * that silently turns the loss into an N x N table.
     */
    static Tensor elementwise(String loss, Tensor prediction, Tensor target) {
        floating(loss, "prediction", prediction);
        floating(loss, "target", target);
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": prediction shape " + Shapes.str(prediction.shape())
                    + " differs from target shape " + Shapes.str(target.shape()) + " (expected equal shapes)");
        }
        return target.to(prediction.dtype());
    }

    /** A constant (no gradient) in the dtype and on the device of {@code like}. */
    static Tensor constant(double[] values, Tensor like, int... shape) {
        return Tensor.fromArray(values, shape).to(like.dtype()).to(like.device());
    }
}
