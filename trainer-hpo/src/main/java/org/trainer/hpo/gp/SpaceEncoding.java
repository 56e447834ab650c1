package org.trainer.hpo.gp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.Range;
import org.trainer.hpo.SearchSpace;

/**
 * The map between a search space's values and the GP's input columns. A float or integer
 * parameter is one column, its position {@link Range#toUnit} in [0, 1] in its own scaling
 * (linear, log, reverse-log); a categorical with k choices is k one-hot columns (so no order is
 * imposed on the choices). An integer's column holds the centre of its cell: {@link #snap} moves
 * any u to the centre of the integer it rounds to, so the model sees the points it will propose.
 *
 * <p>Values from elsewhere (a warm start from an earlier study, a changed space): a missing
 * parameter, a value of the wrong type, a non-finite position or a categorical value that is not
 * among the choices makes the point unusable ({@link #encode} returns null); a numeric value
 * outside its range keeps its true position outside [0, 1] (the GP extrapolates from it
 * faithfully; proposals stay inside) when that position lies within {@link #OUT_OF_RANGE_MARGIN}
 * of the unit interval, and is dropped beyond.
 *
 * <p>A fixed parameter (a numeric range with low == high, a categorical with one choice) has no
 * column: it is never searched, decodes to its one value, and a point with another value for it
 * is unusable.
 */
final class SpaceEncoding {
    /** How far outside [0, 1] a numeric observation may lie and still be used. */
    static final double OUT_OF_RANGE_MARGIN = 0.5;

    private final List<String> names = new ArrayList<>();
    private final List<Range> ranges = new ArrayList<>();
    private final int[] offsets; // first column of each parameter; -1 for a fixed one
    private final int columns;
    private final int[] numericColumns;

    SpaceEncoding(SearchSpace space) {
        space.ranges().forEach((name, range) -> {
            names.add(name);
            ranges.add(range);
        });
        offsets = new int[ranges.size()];
        int c = 0;
        List<Integer> numeric = new ArrayList<>();
        for (int p = 0; p < ranges.size(); p++) {
            if (isFixed(ranges.get(p))) {
                offsets[p] = -1;
                continue;
            }
            offsets[p] = c;
            if (ranges.get(p) instanceof CategoricalRange cat) {
                c += cat.size();
            } else {
                numeric.add(c);
                c += 1;
            }
        }
        columns = c;
        numericColumns = numeric.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the range has one value: low == high, or one choice. */
    static boolean isFixed(Range r) {
        return r instanceof FloatRange f && f.isFixed() || r instanceof IntRange i && i.isFixed()
                || r instanceof CategoricalRange c && c.size() == 1;
    }

    /** The number of GP input columns. */
    int columns() {
        return columns;
    }

    /** The number of parameters searched (the fixed ones left out). */
    int parameters() {
        int n = 0;
        for (int o : offsets) {
            n += o >= 0 ? 1 : 0;
        }
        return n;
    }

    /** Which columns are one-hot columns of a categorical. */
    boolean[] categoricalColumns() {
        boolean[] out = new boolean[columns];
        java.util.Arrays.fill(out, true);
        for (int c : numericColumns) {
            out[c] = false;
        }
        return out;
    }

    /** The columns of float and integer parameters (the ones a local search moves). */
    int[] numericColumns() {
        return numericColumns.clone();
    }

    /** The point of {@code params} in the GP's columns, or null when it cannot be used (see the class comment). */
    double[] encode(Map<String, Object> params) {
        double[] u = new double[columns];
        for (int p = 0; p < ranges.size(); p++) {
            Object v = params.get(names.get(p));
            if (v == null) {
                return null;
            }
            Range r = ranges.get(p);
            if (offsets[p] < 0) {
                Object fixed = r.fromUnit(0);
                boolean same = v.equals(fixed)
                        || v instanceof Number a && fixed instanceof Number b && a.doubleValue() == b.doubleValue();
                if (!same) {
                    return null;
                }
                continue;
            }
            if (r instanceof CategoricalRange cat) {
                if (!cat.contains(v)) {
                    return null;
                }
                u[offsets[p] + cat.indexOf(v)] = 1;
            } else {
                if (!(v instanceof Number)) {
                    return null;
                }
                double pos;
                if (r instanceof IntRange ir) {
                    // The cell centre of the nearest integer (a double from elsewhere is rounded).
                    double rounded = Math.rint(((Number) v).doubleValue());
                    pos = ir.toUnit(rounded);
                } else {
                    pos = ((FloatRange) r).toUnit(v);
                }
                if (!Double.isFinite(pos) || pos < -OUT_OF_RANGE_MARGIN || pos > 1 + OUT_OF_RANGE_MARGIN) {
                    return null;
                }
                u[offsets[p]] = pos;
            }
        }
        return u;
    }

    /**
     * Moves a point onto the legal values, in place: numeric columns clamped to [0, 1], integer
     * columns to the centre of their integer's cell, each categorical to the one-hot vector of
     * its largest column (the first on ties).
     */
    void snap(double[] u) {
        for (int p = 0; p < ranges.size(); p++) {
            Range r = ranges.get(p);
            int o = offsets[p];
            if (o < 0) {
                continue;
            }
            if (r instanceof CategoricalRange cat) {
                int best = 0;
                for (int i = 1; i < cat.size(); i++) {
                    if (u[o + i] > u[o + best]) {
                        best = i;
                    }
                }
                for (int i = 0; i < cat.size(); i++) {
                    u[o + i] = i == best ? 1 : 0;
                }
            } else {
                double v = Math.min(1, Math.max(0, u[o]));
                if (r instanceof IntRange ir) {
                    v = Math.min(1, Math.max(0, ir.toUnit(ir.fromUnit(v))));
                }
                u[o] = v;
            }
        }
    }

    /** The parameter values of a (snapped) point, in the space's declaration order. */
    Map<String, Object> decode(double[] u) {
        double[] s = u.clone();
        snap(s);
        Map<String, Object> out = new LinkedHashMap<>();
        for (int p = 0; p < ranges.size(); p++) {
            Range r = ranges.get(p);
            int o = offsets[p];
            if (o < 0) {
                out.put(names.get(p), r.fromUnit(0));
            } else if (r instanceof CategoricalRange cat) {
                int idx = 0;
                while (s[o + idx] != 1) {
                    idx++;
                }
                out.put(names.get(p), cat.choices().get(idx));
            } else {
                out.put(names.get(p), r.fromUnit(s[o]));
            }
        }
        return out;
    }

    /** A uniform random point: each numeric column uniform in [0, 1] (then snapped), each categorical a uniform choice. */
    double[] random(SplittableRandom rng) {
        double[] u = new double[columns];
        for (int p = 0; p < ranges.size(); p++) {
            if (offsets[p] < 0) {
                continue;
            }
            if (ranges.get(p) instanceof CategoricalRange cat) {
                u[offsets[p] + rng.nextInt(cat.size())] = 1;
            } else {
                u[offsets[p]] = rng.nextDouble();
            }
        }
        snap(u);
        return u;
    }

    /**
     * A random neighbour of {@code center}: numeric columns moved by N(0, scale^2) and snapped,
     * each categorical kept with probability 0.8, else drawn uniformly.
     */
    double[] perturb(double[] center, double scale, SplittableRandom rng) {
        double[] u = center.clone();
        for (int p = 0; p < ranges.size(); p++) {
            int o = offsets[p];
            if (o < 0) {
                continue;
            }
            if (ranges.get(p) instanceof CategoricalRange cat) {
                if (rng.nextDouble() < 0.2) {
                    java.util.Arrays.fill(u, o, o + cat.size(), 0);
                    u[o + rng.nextInt(cat.size())] = 1;
                }
            } else {
                u[o] += scale * gaussian(rng);
            }
        }
        snap(u);
        return u;
    }

    /**
     * The number of combinations of categorical choices (the product of the categoricals' sizes; 1
     * without categoricals), or {@code Integer.MAX_VALUE} when it exceeds that.
     */
    int categoricalCombinations() {
        long product = 1;
        for (Range r : ranges) {
            if (r instanceof CategoricalRange cat) {
                product = Math.min(Integer.MAX_VALUE, product * cat.size());
            }
        }
        return (int) product;
    }

    /**
     * Sets u's categorical columns, in place, to combination {@code combination} in
     * [0, {@link #categoricalCombinations()}): the first categorical's choice is its lowest digit in
     * the mixed radix of the categoricals' sizes.
     */
    void setCombination(double[] u, int combination) {
        int rest = combination;
        for (int p = 0; p < ranges.size(); p++) {
            if (ranges.get(p) instanceof CategoricalRange cat && offsets[p] >= 0) {
                int o = offsets[p];
                java.util.Arrays.fill(u, o, o + cat.size(), 0);
                u[o + rest % cat.size()] = 1;
                rest /= cat.size();
            }
        }
    }

    /** Every point that differs from {@code u} in the choice of exactly one categorical. */
    List<double[]> categoricalNeighbours(double[] u) {
        List<double[]> out = new ArrayList<>();
        for (int p = 0; p < ranges.size(); p++) {
            if (ranges.get(p) instanceof CategoricalRange cat && offsets[p] >= 0) {
                int o = offsets[p];
                for (int i = 0; i < cat.size(); i++) {
                    if (u[o + i] != 1) {
                        double[] v = u.clone();
                        java.util.Arrays.fill(v, o, o + cat.size(), 0);
                        v[o + i] = 1;
                        out.add(v);
                    }
                }
            }
        }
        return out;
    }

    /** A standard normal draw by the Box-Muller transform (SplittableRandom has no nextGaussian in Java 17). */
    static double gaussian(SplittableRandom rng) {
        double u1 = 1 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
