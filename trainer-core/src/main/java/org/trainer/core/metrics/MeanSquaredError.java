package org.trainer.core.metrics;

import org.trainer.core.Tensor;

/**
 * Mean squared error over every element seen: (1/n) sum_i (x_i - y_i)^2, as scikit-learn's
 * {@code mean_squared_error} (for several outputs its uniform average over outputs is the same
 * number, since every output has n/K elements). Accumulated in double precision.
 */
public final class MeanSquaredError implements Metric {
    private double sum;
    private long count;

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        double[][] v = RegressionInputs.read("MeanSquaredError", prediction, target);
        for (int i = 0; i < v[0].length; i++) {
            double d = v[0][i] - v[1][i];
            sum += d * d;
        }
        count += v[0].length;
    }

    @Override
    public double compute() {
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public void reset() {
        sum = 0;
        count = 0;
    }

    @Override
    public String toString() {
        return "MeanSquaredError(" + compute() + " over " + count + " values)";
    }
}
