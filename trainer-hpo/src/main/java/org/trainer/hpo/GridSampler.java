package org.trainer.hpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every combination of the grid points of a space, in lexicographic order: the first declared
 * parameter varies slowest, the last fastest (nested loops in declaration order), each
 * parameter's points in increasing order (choices in their declared order).
 *
 * <p>Grid points per range: a categorical gives all its choices; an integer range all its
 * integers when there are at most {@code pointsPerRange}, else {@code pointsPerRange} values
 * evenly spaced in its scaling (rounded, duplicates removed); a float range {@code pointsPerRange}
 * values evenly spaced in its scaling, both ends included (u = i / (n - 1)).
 *
 * <p>Trial k of a study gets the first combination no earlier trial of the study (number &gt;= 0,
 * any state) already holds, so a re-queued or resumed study continues the grid where it stopped.
 * When every combination is taken the grid starts over from the first (the study should stop at
 * {@link #size} trials; {@code TuningJob} does).
 */
public final class GridSampler implements Sampler {
    private final int pointsPerRange;

    /** @param pointsPerRange grid points for a continuous range (and for a large integer range); &gt;= 2 */
    public GridSampler(int pointsPerRange) {
        if (pointsPerRange < 2) {
            throw new IllegalArgumentException("GridSampler: pointsPerRange must be >= 2, got " + pointsPerRange);
        }
        this.pointsPerRange = pointsPerRange;
    }

    /**
     * The number of grid points of a float range (and the most of an integer range).
     *
     * @return the points per range
     */
    public int pointsPerRange() {
        return pointsPerRange;
    }

    /**
     * The grid points of one range, in increasing order.
     *
     * @param range a range
     * @return its grid points
     */
    public List<Object> points(Range range) {
        if (range instanceof CategoricalRange c) {
            return c.choices();
        }
        if (range instanceof IntRange r && (long) r.high() - r.low() + 1 <= pointsPerRange) {
            List<Object> all = new ArrayList<>();
            for (int i = r.low(); i <= r.high(); i++) {
                all.add(i);
            }
            return all;
        }
        List<Object> out = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < pointsPerRange; i++) {
            Object v = range instanceof FloatRange f ? (Object) endpoint(f, i) : (Object) intPoint((IntRange) range, i);
            if (seen.add(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Evenly spaced in the scaling between low and high themselves (not the rounding cells), rounded. */
    private Integer intPoint(IntRange r, int i) {
        double x = r.scale().fromUnit(i / (double) (pointsPerRange - 1), r.low(), r.high());
        return (int) Math.min(r.high(), Math.max(r.low(), Math.round(x)));
    }

    /** Exact ends (no round-off from the scaling's exp/log), evenly spaced points between. */
    private Double endpoint(FloatRange f, int i) {
        if (i == 0) {
            return f.low();
        }
        if (i == pointsPerRange - 1) {
            return f.high();
        }
        return f.fromUnit(i / (double) (pointsPerRange - 1));
    }

    /**
     * The number of combinations of {@code space}, reported before a search starts.
     *
     * @param space a space
     * @return the number of combinations
     */
    public long size(SearchSpace space) {
        long n = 1;
        for (Range r : space.ranges().values()) {
            n = Math.multiplyExact(n, points(r).size());
        }
        return n;
    }

    /**
     * Combination {@code index} (0-based) in the documented order.
     *
     * @param space a space
     * @param index the combination's index
     * @return the values by name
     */
    public Map<String, Object> combination(SearchSpace space, long index) {
        long size = size(space);
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("GridSampler: index must be in [0, " + size + "), got " + index);
        }
        List<String> names = new ArrayList<>(space.ranges().keySet());
        Object[] values = new Object[names.size()];
        long rest = index;
        for (int d = names.size() - 1; d >= 0; d--) {
            List<Object> pts = points(space.range(names.get(d)));
            values[d] = pts.get((int) (rest % pts.size()));
            rest /= pts.size();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (int d = 0; d < names.size(); d++) {
            out.put(names.get(d), values[d]);
        }
        return out;
    }

    /**
     * Every combination, in order.
     *
     * @param space a space
     * @return the combinations
     */
    public List<Map<String, Object>> combinations(SearchSpace space) {
        long size = size(space);
        List<Map<String, Object>> out = new ArrayList<>();
        for (long i = 0; i < size; i++) {
            out.add(combination(space, i));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed) {
        long size = size(space);
        Set<Map<String, Object>> taken = new HashSet<>();
        for (FrozenTrial t : trials) {
            if (t.number() >= 0) {
                Map<String, Object> p = new LinkedHashMap<>();
                for (String name : space.ranges().keySet()) {
                    p.put(name, t.params().get(name));
                }
                taken.add(p);
            }
        }
        for (long i = 0; i < size; i++) {
            Map<String, Object> c = combination(space, i);
            if (!taken.contains(c)) {
                return c;
            }
        }
        long own = trials.stream().filter(t -> t.number() >= 0).count();
        return combination(space, own % size);
    }

    @Override
    public String toString() {
        return "GridSampler(pointsPerRange=" + pointsPerRange + ")";
    }
}
