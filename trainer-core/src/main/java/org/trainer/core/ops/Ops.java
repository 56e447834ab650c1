package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.MemoryScope;

/** Checks and helpers that the ops share. */
final class Ops {
    private Ops() {
    }

    /** A new tensor for an op to overwrite entirely: its contents are unspecified. */
    static Tensor empty(Backend backend, DType dtype, int[] shape) {
        return Tensor.wrap(MemoryScope.allocateForOverwrite(backend, dtype, Shapes.numel(shape)), shape);
    }

    /** Refuses non-floating tensors for a differentiable op. */
    static void floating(String op, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating tensor, got " + t.dtype() + " of shape "
                    + Shapes.str(t.shape()));
        }
    }

    /** Refuses operands on different devices or of different dtypes. */
    static void compatible(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": tensors are on different devices: " + a.device() + " and "
                    + b.device());
        }
        if (a.dtype() != b.dtype()) {
            boolean doubles = a.dtype() == DType.FLOAT64 || b.dtype() == DType.FLOAT64;
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.dtype() + " and " + b.dtype()
                    + " (convert one with to(DType)" + (doubles ? "; Tensor.fromArray(double[], ...) makes FLOAT64,"
                    + " Tensor.fromArray(DType.FLOAT32, double[], ...) makes FLOAT32 as layers' weights are" : "")
                    + ")");
        }
    }

    /** Sums a broadcast gradient back to the shape of the operand it came from. */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int[] padded = Shapes.padLeft(shape, gs.length);
        int count = 0;
        int[] axes = new int[gs.length];
        for (int i = 0; i < gs.length; i++) {
            if (padded[i] == 1 && gs[i] != 1) {
                axes[count++] = i;
            }
        }
        Tensor s = count == 0 ? g : g.sum(Arrays.copyOf(axes, count), true);
        return s.reshape(shape);
    }

    /** The product of shape[from..to). */
    static int prod(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return p;
    }

    /** A pair (height, width) argument, validated to have two elements of at least {@code min}. */
    static int[] pair(String op, String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(op + ": " + name + " must be two values >= " + min + ", got "
                    + Arrays.toString(v));
        }
        return v.clone();
    }
}
