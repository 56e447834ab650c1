package org.trainer.core.job;

/** A job for the tests that never finishes on its own. */
public class SleepingJob implements JobDefinition {
    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec();
    }

    @Override
    public void train(JobContext ctx) throws InterruptedException {
        Thread.sleep(600_000);
    }
}
