package org.trainer.hpo;

import java.nio.charset.StandardCharsets;

import org.trainer.core.io.AtomicFile;
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
        // Atomic: a test that sees the file reads the whole pid.
        AtomicFile.write(ctx.outputDataDir().resolve("started"),
                Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(600_000);
    }
}
