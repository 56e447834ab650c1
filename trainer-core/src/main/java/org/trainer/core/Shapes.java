package org.trainer.core;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor layer: sizes, strides, axes and broadcasting. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * Number of elements of a shape; the empty shape (a scalar) has one.
     *
     * @param shape the shape
     * @return the number of elements
     */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than " + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    /**
     * Row-major strides of a contiguous tensor.
     *
     * @param shape the shape
     * @return the strides, in elements
     */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * Validates a shape given by the user: no negative sizes.
     *
     * @param op the op's name, for the message
     * @param shape the shape
     * @return {@code shape}
     */
    public static int[] check(String op, int[] shape) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape)
                        + " has a negative size at axis " + i);
            }
        }
        numel(shape);
        return shape.clone();
    }

    /**
     * Resolves a possibly negative axis against a rank, naming the op when it is out of range.
     *
     * @param op the op's name, for the message
     * @param axis the axis, negative counting from the end
     * @param rank the rank
     * @return the axis in [0, rank)
     */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a tensor of rank "
                    + rank + " (expected " + -rank + " to " + (rank - 1) + ")");
        }
        return a;
    }

    /**
     * The NumPy broadcast of two shapes, or an error naming the op and the first axis that conflicts.
     *
     * @param op the op's name, for the message
     * @param a one shape
     * @param b the other shape
     * @return the broadcast shape
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast: axis " + (i - r) + " has sizes " + da + " and " + db
                        + " (expected equal sizes or 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * The shape left-padded with ones to {@code rank} axes.
     *
     * @param shape the shape
     * @param rank the rank to reach
     * @return the padded shape
     */
    public static int[] padLeft(int[] shape, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    /**
     * A shape as error messages write it, e.g. "[32, 784]".
     *
     * @param shape the shape
     * @return the text
     */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
