package org.trainer.hpo;

import java.nio.file.Files;

import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.JobContext;
import org.trainer.core.job.JobDefinition;

/** A trial job for the tests that writes its pid to output/data/started and never finishes. */
public class SleepingTrialJob implements JobDefinition {
    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().number("lr");
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Files.writeString(ctx.outputDataDir().resolve("started"), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(600_000);
    }
}
