package org.trainer.core.job;

import java.nio.file.Files;

/** A job for the tests that says it has started training (output/data/started) and never finishes. */
public class MarkedSleepingJob implements JobDefinition {
    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec();
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Files.writeString(ctx.outputDataDir().resolve("started"), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(600_000);
    }
}
