package org.trainer.core.metrics;

/** Mean squared error: (1/n) sum_i (x_i - y_i)^2, as scikit-learn's {@code mean_squared_error}. */
public final class MeanSquaredError extends MeanError {
    /** The metric, logged as "mse". */
    public MeanSquaredError() {
        super("mse", "MeanSquaredError");
    }

    @Override
    double error(double difference) {
        return difference * difference;
    }
}
