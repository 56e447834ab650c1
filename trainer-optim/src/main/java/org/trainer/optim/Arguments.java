package org.trainer.optim;

/**
 * Argument checks shared by the optimizers' constructors. Each message names the optimizer, the
 * argument, what was expected and the value received, as PyTorch's do.
 */
final class Arguments {
    private Arguments() {
    }

    /** A finite value >= 0. */
    static double nonNegative(String owner, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be a finite value >= 0, got " + value);
        }
        return value;
    }

    /** A value in [0, 1): a decay rate that still forgets. */
    static double decayRate(String owner, String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** A value in [0, 1]. */
    static double unitInterval(String owner, String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1], got " + value);
        }
        return value;
    }
}
