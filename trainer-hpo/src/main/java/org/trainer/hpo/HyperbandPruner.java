package org.trainer.hpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.trainer.core.SplitMix64;

/**
 * Hyperband (Li et al. 2018) as a pruner, the way Optuna runs it: n = floor(log_eta(max / min)) + 1
 * brackets of successive halving over the same resource, bracket b with rungs at min * eta^(b + k),
 * k = 0, 1, ..., below the maximum (bracket 0 is the most aggressive: rungs at min, min*eta, ...).
 * The last bracket, b = n - 1, has its first rung at min * eta^(n-1) &lt;= max: when max is exactly
 * min * eta^(n-1) it has no rung and runs its trials to the maximum; otherwise it has that one
 * rung. Each trial is assigned to one bracket, and is compared only with trials of its own bracket.
 *
 * <p>Assignment: bracket b gets a share of trials proportional to Hyperband's budget for it,
 * ceil(n * eta^s / (s + 1)) with s = n - 1 - b (so the aggressive brackets, which try more
 * configurations, get more trials); trial number i goes to the bracket that
 * mix64(seed + i) mod (total budget) falls in. The assignment is a pure function of the trial's
 * number, so replays and resumed studies agree. Within a bracket decisions are asynchronous
 * ({@link SuccessiveHalvingPruner}: ASHA), so parallel workers never wait on a rung.
 */
public final class HyperbandPruner implements Pruner {
    private final int minResource;
    private final int maxResource;
    private final int eta;
    private final long seed;
    private final List<SuccessiveHalvingPruner> brackets;
    private final int[] budgets;
    private final int totalBudget;

    /**
     * minResource 1, eta 3, seed 0.
     *
     * @param maxResource the most resource a trial uses
     */
    public HyperbandPruner(int maxResource) {
        this(1, maxResource, 3, 0);
    }

    /**
     * Brackets over resources from {@code minResource} (at least 1) to {@code maxResource} (above it) with reduction
     * factor eta (at least 2); the seed drives the assignment of trials to brackets.
     *
     * @param minResource the least resource a trial uses
     * @param maxResource the most resource a trial uses
     * @param eta the reduction factor
     * @param seed the seed of the assignment
     */
    public HyperbandPruner(int minResource, int maxResource, int eta, long seed) {
        if (minResource < 1) {
            throw new IllegalArgumentException("HyperbandPruner: minResource must be >= 1, got " + minResource);
        }
        if (maxResource <= minResource) {
            throw new IllegalArgumentException(
                    "HyperbandPruner: maxResource must be > minResource (" + minResource + "), got " + maxResource);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("HyperbandPruner: eta must be >= 2, got " + eta);
        }
        this.minResource = minResource;
        this.maxResource = maxResource;
        this.eta = eta;
        this.seed = seed;
        int n = Brackets.count(minResource, maxResource, eta);
        List<SuccessiveHalvingPruner> bs = new ArrayList<>();
        budgets = new int[n];
        int total = 0;
        for (int b = 0; b < n; b++) {
            bs.add(new SuccessiveHalvingPruner(minResource, maxResource, eta, b));
            budgets[b] = Brackets.configs(n, n - 1 - b, eta); // as many as Hyperband starts in its bracket s = n - 1 - b
            total += budgets[b];
        }
        this.brackets = Collections.unmodifiableList(bs);
        this.totalBudget = total;
    }

    /**
     * The number of brackets, floor(log_eta(max / min)) + 1.
     *
     * @return the number of brackets
     */
    public int bracketCount() {
        return brackets.size();
    }

    /**
     * The successive-halving schedule of bracket {@code b}.
     *
     * @param b the bracket, from 0
     * @return its schedule
     */
    public SuccessiveHalvingPruner bracket(int b) {
        return brackets.get(b);
    }

    /**
     * The bracket of trial {@code number}. Warm-start trials (negative numbers) belong to none: -1.
     *
     * @param number a trial's number
     * @return its bracket, or -1
     */
    public int bracketOf(int number) {
        if (number < 0) {
            return -1;
        }
        long h = Math.floorMod(SplitMix64.mix64(seed + number), (long) totalBudget);
        for (int b = 0; b < budgets.length; b++) {
            h -= budgets[b];
            if (h < 0) {
                return b;
            }
        }
        throw new AssertionError("unreachable");
    }

    @Override
    public boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction) {
        int b = bracketOf(trial.number());
        if (b < 0) {
            return false;
        }
        return brackets.get(b).prune(trials, trial, direction, t -> bracketOf(t.number()) == b);
    }

    @Override
    public String toString() {
        return "HyperbandPruner(minResource=" + minResource + ", maxResource=" + maxResource + ", eta=" + eta
                + ", brackets=" + brackets.size() + ")";
    }
}
