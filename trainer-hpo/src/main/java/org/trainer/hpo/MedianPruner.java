package org.trainer.hpo;

import java.util.ArrayList;
import java.util.List;

/**
 * The median stopping rule (Golovin et al., Google Vizier; Optuna's MedianPruner): at step s a
 * trial stops when its best intermediate value so far is worse than the median of the values
 * that COMPLETE trials reported at step s. Only COMPLETE trials count, as in Optuna: the PRUNED
 * ones are the bad ones, and counting them would drag the median towards them and prune less.
 * Nothing is pruned before {@code startupTrials} trials have finished (COMPLETE) or before step
 * {@code warmupSteps}, and only when at least {@code minTrials} COMPLETE trials reported at step s.
 */
public final class MedianPruner implements Pruner {
    private final int startupTrials;
    private final int warmupSteps;
    private final int minTrials;

    /** Optuna's defaults: 5 startup trials, no warm-up steps, one trial to compare with. */
    public MedianPruner() {
        this(5, 0, 1);
    }

    /**
     * The rule with these thresholds; throws IllegalArgumentException when startupTrials or warmupSteps is negative or
     * minTrials &lt; 1.
     *
     * @param startupTrials finished trials before pruning starts
     * @param warmupSteps steps before a trial can be pruned
     * @param minTrials COMPLETE trials that must have reported at a step
     */
    public MedianPruner(int startupTrials, int warmupSteps, int minTrials) {
        if (startupTrials < 0) {
            throw new IllegalArgumentException("MedianPruner: startupTrials must be >= 0, got " + startupTrials);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("MedianPruner: warmupSteps must be >= 0, got " + warmupSteps);
        }
        if (minTrials < 1) {
            throw new IllegalArgumentException("MedianPruner: minTrials must be >= 1, got " + minTrials);
        }
        this.startupTrials = startupTrials;
        this.warmupSteps = warmupSteps;
        this.minTrials = minTrials;
    }

    @Override
    public boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction) {
        if (trial.intermediate().isEmpty()) {
            return false;
        }
        int step = trial.intermediate().lastKey();
        if (step < warmupSteps) {
            return false;
        }
        long complete = trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count();
        if (complete < startupTrials) {
            return false;
        }
        List<Double> others = new ArrayList<>();
        for (FrozenTrial t : trials) {
            if (t.number() != trial.number() && t.state() == TrialState.COMPLETE) {
                Double v = t.intermediate().get(step);
                if (v != null && !v.isNaN()) {
                    others.add(v);
                }
            }
        }
        if (others.size() < minTrials) {
            return false;
        }
        double best = Double.NaN;
        for (double v : trial.intermediate().values()) {
            if (!Double.isNaN(v) && (Double.isNaN(best) || direction.better(v, best))) {
                best = v;
            }
        }
        if (Double.isNaN(best)) {
            return true; // a trial that only ever reported NaN is diverging
        }
        return direction.better(median(others), best);
    }

    static double median(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    }

    @Override
    public String toString() {
        return "MedianPruner(startupTrials=" + startupTrials + ", warmupSteps=" + warmupSteps
                + ", minTrials=" + minTrials + ")";
    }
}
