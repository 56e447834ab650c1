package org.trainer.core.metrics;

import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * The mean of a per-element error e(x_i - y_i) over every element seen, accumulated in double
 * precision; subclasses give e. For several outputs scikit-learn's uniform average over outputs is
 * the same number, since every output has n/K elements.
 */
abstract class MeanError implements Metric, Stateful {
    private final String name;
    private final String displayName;
    private double sum;
    private long count;

    MeanError(String name, String displayName) {
        this.name = name;
        this.displayName = displayName;
    }

    /** The error of one element from its difference prediction - target. */
    abstract double error(double difference);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void update(Tensor prediction, Tensor target) {
        double[][] v = RegressionInputs.read(displayName, prediction, target);
        for (int i = 0; i < v[0].length; i++) {
            sum += error(v[0][i] - v[1][i]);
        }
        count += v[0].length;
    }

    @Override
    public final double compute() {
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public final void reset() {
        sum = 0;
        count = 0;
    }

    /** The running "sum" of errors and the "count" of elements (float64 scalars), for a mid-epoch checkpoint. */
    @Override
    public final Map<String, Tensor> stateDict() {
        return Map.of("sum", StateEntries.scalar(sum), "count", StateEntries.scalar(count));
    }

    @Override
    public final void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(displayName, state, Set.of("sum", "count"));
        double s = StateEntries.readScalar(displayName, state, "sum");
        count = StateEntries.readCount(displayName, state, "count");
        sum = s;
    }

    @Override
    public final String toString() {
        return displayName + "(" + compute() + " over " + count + " values)";
    }
}
