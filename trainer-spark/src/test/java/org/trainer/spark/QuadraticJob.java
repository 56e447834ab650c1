package org.trainer.spark;

import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.JobContext;
import org.trainer.core.job.JobDefinition;

/**
 * A training job for {@link SparkTrialExecutorTest}, run in a child JVM from inside a trial's task:
 * reports the quadratic of its x and y as "q"; with a non-zero "halt" its JVM dies at once with that
 * exit code, without a word (as a JVM killed by the system).
 */
public class QuadraticJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().number("x").number("y").integer("halt", 0);
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        int halt = ctx.hyperparameters().getInt("halt");
        if (halt != 0) {
            Runtime.getRuntime().halt(halt);
        }
        double x = ctx.hyperparameters().getDouble("x");
        double y = ctx.hyperparameters().getDouble("y");
        ctx.reportMetric("q", (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2));
    }
}
