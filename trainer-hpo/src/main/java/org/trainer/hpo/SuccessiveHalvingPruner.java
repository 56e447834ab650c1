package org.trainer.hpo;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * Asynchronous successive halving (ASHA; Li et al. 2020, Optuna's SuccessiveHalvingPruner) over
 * a resource counted in steps: a trial reports at step t having used t units of resource (epochs,
 * by default: report after epoch e at step e + 1).
 *
 * <p>Rung k sits at resource r_k = minResource * eta^(s + k), with s the minimum early-stopping
 * rate. A trial reaches rung k with its first report at a step &gt;= r_k (a trial that reports
 * every 2 epochs reaches rung 3 at step 4), and its value there is its rung-k value; when one
 * report passes several rungs, only the highest of them is judged. At that report the trial is
 * promoted (goes on) when its rung value is among the best floor(n / eta) of the n rung-k values
 * of the study's trials that reached rung k so far (its own included); while n &lt; eta, when it
 * is the best. Otherwise it is pruned. Later reports before the next rung decide nothing.
 * Nobody waits for a rung to fill, so parallel workers never idle: a decision depends on who
 * got there first, which is the asynchronous variant's trade. No pruning at or beyond
 * {@code maxResource}: a trial there has finished.
 */
public final class SuccessiveHalvingPruner implements Pruner {
    private final int minResource;
    private final int maxResource;
    private final int eta;
    private final int minEarlyStoppingRate;

    /** minResource 1, no maximum, eta 3, rate 0. */
    public SuccessiveHalvingPruner() {
        this(1, Integer.MAX_VALUE, 3, 0);
    }

    /**
     * Rungs from {@code minResource} (at least 1) up to {@code maxResource} (at least minResource) with reduction
     * factor eta (at least 2) and minimum early-stopping rate s (at least 0).
     *
     * @param minResource r, the first rung's resource
     * @param maxResource the most resource a trial uses
     * @param eta the reduction factor
     * @param minEarlyStoppingRate s
     */
    public SuccessiveHalvingPruner(int minResource, int maxResource, int eta, int minEarlyStoppingRate) {
        if (minResource < 1) {
            throw new IllegalArgumentException("SuccessiveHalvingPruner: minResource must be >= 1, got " + minResource);
        }
        if (maxResource < minResource) {
            throw new IllegalArgumentException("SuccessiveHalvingPruner: maxResource must be >= minResource ("
                    + minResource + "), got " + maxResource);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("SuccessiveHalvingPruner: eta must be >= 2, got " + eta);
        }
        if (minEarlyStoppingRate < 0) {
            throw new IllegalArgumentException(
                    "SuccessiveHalvingPruner: minEarlyStoppingRate must be >= 0, got " + minEarlyStoppingRate);
        }
        this.minResource = minResource;
        this.maxResource = maxResource;
        this.eta = eta;
        this.minEarlyStoppingRate = minEarlyStoppingRate;
    }

    /**
     * The rung resources below maxResource: r * eta^(s + k), k = 0, 1, ...
     *
     * @return the rung resources
     */
    public List<Integer> rungs() {
        List<Integer> out = new ArrayList<>();
        long r = minResource;
        for (int i = 0; i < minEarlyStoppingRate; i++) {
            r *= eta;
        }
        while (r < maxResource) {
            out.add((int) r);
            r *= eta;
        }
        return out;
    }

    @Override
    public boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction) {
        return prune(trials, trial, direction, t -> true);
    }

    /** As {@link #prune(List, FrozenTrial, Direction)}, comparing only with the trials {@code peer} accepts. */
    boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction, Predicate<FrozenTrial> peer) {
        if (trial.intermediate().isEmpty()) {
            return false;
        }
        int step = trial.intermediate().lastKey();
        if (step >= maxResource) {
            return false;
        }
        int rung = -1; // the highest rung at or below this step
        for (int r : rungs()) {
            if (r <= step) {
                rung = r;
            }
        }
        SortedMap<Integer, Double> before = trial.intermediate().headMap(step);
        Integer previous = before.isEmpty() ? null : before.lastKey();
        if (rung < 0 || previous != null && previous >= rung) {
            return false; // below the first rung, or this rung was judged at an earlier report
        }
        double mine = trial.intermediate().get(step);
        if (Double.isNaN(mine)) {
            return true;
        }
        List<Double> competing = new ArrayList<>();
        competing.add(mine);
        for (FrozenTrial t : trials) {
            if (t.number() != trial.number() && peer.test(t)) {
                Double v = rungValue(t, rung);
                if (v != null && !v.isNaN()) {
                    competing.add(v);
                }
            }
        }
        // Sorted best first; the trial goes on when it is no worse than the k-th best.
        List<Double> sorted = new ArrayList<>(competing);
        sorted.sort(direction == Direction.MINIMIZE ? null : java.util.Comparator.reverseOrder());
        int k = Math.max(1, sorted.size() / eta);
        double cutoff = sorted.get(k - 1);
        return direction.better(cutoff, mine);
    }

    /** A trial's value at {@code rung}: the one of its first report at a step &gt;= rung; null when it never got there. */
    private static Double rungValue(FrozenTrial t, int rung) {
        SortedMap<Integer, Double> from = t.intermediate().tailMap(rung);
        return from.isEmpty() ? null : from.get(from.firstKey());
    }

    @Override
    public String toString() {
        return "SuccessiveHalvingPruner(minResource=" + minResource + ", maxResource=" + maxResource + ", eta=" + eta
                + ", minEarlyStoppingRate=" + minEarlyStoppingRate + ")";
    }
}
