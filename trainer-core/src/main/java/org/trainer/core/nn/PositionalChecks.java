package org.trainer.core.nn;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** The input check the positional encodings share. */
final class PositionalChecks {
    private PositionalChecks() {
    }

    /** The length T of x, which must be [N, T, dModel] with 1 <= T <= maxLen. */
    static int length(String name, Tensor x, int dModel, int maxLen) {
        if (x == null || x.rank() != 3 || x.size(2) != dModel) {
            throw new IllegalArgumentException(name + ": input must be [N, T, " + dModel + "] (batch first), got "
                    + (x == null ? "null" : Shapes.str(x.shape())));
        }
        int t = x.size(1);
        if (t < 1 || t > maxLen) {
            throw new IllegalArgumentException(name + ": input has " + t + " positions, expected 1 to maxLen=" + maxLen
                    + " (input " + Shapes.str(x.shape()) + ")");
        }
        return t;
    }
}
