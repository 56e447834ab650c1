package org.trainer.cuda;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.backend.Storage;

/**
 * Checks the storages of the fused capabilities that CUDA offers (layer norm, dropout mask and the
 * recurrences) against the sizes their contract states, before anything is launched: a kernel that
 * read past a short storage would fail, if at all, far from the call. Core's ops pass the right
 * sizes; these checks name the argument when another caller does not.
 */
final class FusedArguments {
    private FusedArguments() {
    }

    /**
     * Requires {@code s} to hold the elements of {@code shape} in {@code dtype}.
     *
     * @throws IllegalArgumentException naming the operation, the argument, what it holds and what was expected
     */
    static void require(String op, String name, Storage s, DType dtype, int... shape) {
        if (s == null) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + describe(dtype, shape) + ", got null");
        }
        long expected = numel(shape);
        if (s.size() != expected || s.dtype() != dtype) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + describe(dtype, shape) + ", got "
                    + s.size() + " elements of " + s.dtype());
        }
    }

    /** {@link #require} where {@code s} is not null. */
    static void optional(String op, String name, Storage s, DType dtype, int... shape) {
        if (s != null) {
            require(op, name, s, dtype, shape);
        }
    }

    /**
     * Requires T &gt;= 1 steps, N &gt;= 0 rows and H &gt;= 0 columns whose largest buffer, [T + 1, N, gates H],
     * fits a storage (int elements).
     */
    static void recurrence(String op, int steps, int n, int hidden, int gates) {
        if (steps < 1 || n < 0 || hidden < 0) {
            throw new IllegalArgumentException(op + ": expected steps >= 1, n >= 0 and hidden >= 0, got steps "
                    + steps + ", n " + n + ", hidden " + hidden);
        }
        if ((long) (steps + 1) * n * gates * hidden > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": [" + (steps + 1) + ", " + n + ", " + gates * (long) hidden
                    + "] is more than a storage holds (" + Integer.MAX_VALUE + " elements)");
        }
    }

    /** Requires the rows and the row length of a layer norm to be non-negative. */
    static void rows(String op, int rows, int n) {
        if (rows < 0 || n < 0) {
            throw new IllegalArgumentException(op + ": expected rows >= 0 and n >= 0, got rows " + rows + ", n " + n);
        }
    }

    private static long numel(int[] shape) {
        long p = 1;
        for (int v : shape) {
            p *= v;
        }
        return p;
    }

    private static String describe(DType dtype, int[] shape) {
        return Arrays.toString(shape) + " (" + numel(shape) + " elements) of " + dtype;
    }
}
