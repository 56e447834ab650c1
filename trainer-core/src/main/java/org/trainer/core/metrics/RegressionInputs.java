package org.trainer.core.metrics;

import java.util.Arrays;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Reads a regression batch back to the host: equal shapes, floating, every value finite. */
final class RegressionInputs {
    private RegressionInputs() {
    }

    /** {prediction, target} as flat double arrays in row-major order. */
    static double[][] read(String metric, Tensor prediction, Tensor target) {
        check(metric, "prediction", prediction);
        check(metric, "target", target);
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(metric + ": prediction shape " + Shapes.str(prediction.shape())
                    + " differs from target shape " + Shapes.str(target.shape()) + " (expected equal shapes)");
        }
        return new double[][] {finite(metric, "prediction", prediction), finite(metric, "target", target)};
    }

    private static void check(String metric, String argument, Tensor t) {
        if (t == null || !t.dtype().isFloating()) {
            throw new IllegalArgumentException(metric + ": " + argument + " must be a floating tensor, got "
                    + ClassLabels.describe(t));
        }
    }

    private static double[] finite(String metric, String argument, Tensor t) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(metric + ": " + argument + " element " + i + " (flat index, shape "
                        + Shapes.str(t.shape()) + ") is " + v[i] + ", expected a finite value");
            }
        }
        return v;
    }
}
