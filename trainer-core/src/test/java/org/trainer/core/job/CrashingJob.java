package org.trainer.core.job;

/** A job for the tests whose JVM dies without a word, as a native crash would. */
public class CrashingJob implements JobDefinition {
    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec();
    }

    @Override
    public void train(JobContext ctx) {
        Runtime.getRuntime().halt(3);
    }
}
