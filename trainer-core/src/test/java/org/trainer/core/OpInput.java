package org.trainer.core;

import java.util.Arrays;
import java.util.Random;

/**
 * How one input of an {@link OpRegistry} case is drawn: its shape and its domain (the values an op
 * accepts, such as positive ones for log, or values clear of a kink for abs). A dimension may be
 * one of the symbols {@link #A}, {@link #B}, {@link #E} plus a small offset ({@code A + 3}); each
 * suite chooses the sizes (the gradient check small fixed ones, the device conformance suite
 * random odd ones), so one case serves both.
 *
 * @param shape the shape, possibly with symbolic dimensions
 * @param domain how the values are drawn
 * @param lo the lower bound (UNIFORM), 0 otherwise
 * @param hi the upper bound (UNIFORM), the scale (NORMAL), the index bound (INDEX)
 * @param values the fixed values (VALUES, LABELS), else null
 * @param dtype a dtype the input always has, or null for the suite's floating dtype
 */
public record OpInput(int[] shape, Domain domain, double lo, double hi, double[] values, DType dtype) {
    /** The first symbolic size. */
    public static final int A = -1000;
    /** The second symbolic size. */
    public static final int B = -2000;
    /** The third symbolic size. */
    public static final int E = -3000;

    /** How the values are drawn. */
    public enum Domain {
        /** Uniform in [lo, hi). */
        UNIFORM,
        /** Normal with mean 0 and standard deviation hi. */
        NORMAL,
        /** |x| uniform in [0.1, 1.1) with a random sign: clear of a kink at 0. */
        AWAY_FROM_ZERO,
        /** Multiples of 0.5 in [-3, 3]: ties on purpose. */
        ROUNDED,
        /** Rows of the last axis that are probability vectors (a softmax of normal values). */
        PROBABILITIES,
        /** Fixed floating values. */
        VALUES,
        /** Random int32 indices in [0, hi). */
        INDEX,
        /** Fixed int32 values. */
        LABELS
    }

    /** Uniform in [-2, 2). */
    public static OpInput any(int... shape) {
        return uniform(-2, 2, shape);
    }

    /** Uniform in [0.1, 3.1): for log, sqrt, reciprocal, a divisor or a base of a real power. */
    public static OpInput positive(int... shape) {
        return uniform(0.1, 3.1, shape);
    }

    /** Uniform in [lo, hi). */
    public static OpInput uniform(double lo, double hi, int... shape) {
        return new OpInput(shape, Domain.UNIFORM, lo, hi, null, null);
    }

    /** Standard normal. */
    public static OpInput normal(int... shape) {
        return normalScaled(1, shape);
    }

    /** Normal with standard deviation {@code scale}. */
    public static OpInput normalScaled(double scale, int... shape) {
        return new OpInput(shape, Domain.NORMAL, 0, scale, null, null);
    }

    /** Normal with standard deviation 12: saturates sigmoid, softplus and softmax. */
    public static OpInput wide(int... shape) {
        return normalScaled(12, shape);
    }

    /** |x| in [0.1, 1.1) with a random sign. */
    public static OpInput away(int... shape) {
        return new OpInput(shape, Domain.AWAY_FROM_ZERO, 0, 0, null, null);
    }

    /** Multiples of 0.5 in [-3, 3]. */
    public static OpInput rounded(int... shape) {
        return new OpInput(shape, Domain.ROUNDED, 0, 0, null, null);
    }

    /** Probability rows along the last axis. */
    public static OpInput probabilities(int... shape) {
        return new OpInput(shape, Domain.PROBABILITIES, 0, 0, null, null);
    }

    /** Fixed floating values of a shape. */
    public static OpInput values(double[] values, int... shape) {
        return new OpInput(shape, Domain.VALUES, 0, 0, values, null);
    }

    /** {@code length} random int32 indices in [0, bound). */
    public static OpInput index(int length, int bound) {
        return new OpInput(new int[] {length}, Domain.INDEX, 0, bound, null, null);
    }

    /** A vector of fixed int32 labels. */
    public static OpInput labels(int... labels) {
        return new OpInput(new int[] {labels.length}, Domain.LABELS, 0, 0,
                Arrays.stream(labels).asDoubleStream().toArray(), DType.INT32);
    }

    /** This input, always in {@code fixed} whatever the suite's dtype (a float32 mask, say). */
    public OpInput in(DType fixed) {
        return new OpInput(shape, domain, lo, hi, values, fixed);
    }

    /** Whether the input is int32 indices or labels. */
    public boolean isIndex() {
        return domain == Domain.INDEX || domain == Domain.LABELS;
    }

    /** The shape with each symbol replaced by {@code sizes[symbol]} plus its offset. */
    public int[] resolve(int[] sizes) {
        int[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                int symbol = (int) Math.round(-out[i] / 1000.0);
                out[i] = sizes[symbol - 1] + out[i] + 1000 * symbol;
            }
        }
        return out;
    }

    /**
     * A tensor drawn from this input's domain, in {@code floating} (or the pinned dtype), detached.
     *
     * @param floating the dtype of a floating input
     * @param r the source of the values
     * @param sizes the sizes of A, B and E
     */
    public Tensor make(DType floating, Random r, int[] sizes) {
        int[] s = resolve(sizes);
        int n = Shapes.numel(s);
        if (isIndex()) {
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = domain == Domain.LABELS ? (int) values[i] : r.nextInt((int) hi);
            }
            return Tensor.fromArray(v, s);
        }
        double[] v = domain == Domain.VALUES ? values.clone() : draw(n, s, r);
        if (v.length != n) {
            throw new IllegalArgumentException("OpInput: " + v.length + " values for shape " + Arrays.toString(s));
        }
        return Tensor.fromArray(v, s).to(dtype != null ? dtype : floating).detach();
    }

    private double[] draw(int n, int[] s, Random r) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (domain) {
                case UNIFORM -> lo + r.nextDouble() * (hi - lo);
                case NORMAL, PROBABILITIES -> r.nextGaussian() * (domain == Domain.NORMAL ? hi : 1);
                case AWAY_FROM_ZERO -> (0.1 + r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
                case ROUNDED -> Math.round(r.nextDouble() * 6 - 3) * 0.5;
                default -> throw new IllegalStateException("OpInput: domain " + domain + " has no random values");
            };
        }
        if (domain == Domain.PROBABILITIES) {
            softmaxRows(v, s[s.length - 1]);
        }
        return v;
    }

    private static void softmaxRows(double[] v, int width) {
        for (int row = 0; row < v.length; row += width) {
            double total = 0;
            for (int j = row; j < row + width; j++) {
                v[j] = Math.exp(v[j]);
                total += v[j];
            }
            for (int j = row; j < row + width; j++) {
                v[j] /= total;
            }
        }
    }

    @Override
    public String toString() {
        return domain + Arrays.toString(shape);
    }
}
