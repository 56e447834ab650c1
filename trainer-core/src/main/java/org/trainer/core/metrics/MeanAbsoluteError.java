package org.trainer.core.metrics;

/** Mean absolute error: (1/n) sum_i |x_i - y_i|, as scikit-learn's {@code mean_absolute_error}. */
public final class MeanAbsoluteError extends MeanError {
    /** The metric, logged as "mae". */
    public MeanAbsoluteError() {
        super("mae", "MeanAbsoluteError");
    }

    @Override
    double error(double difference) {
        return Math.abs(difference);
    }
}
