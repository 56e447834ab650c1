package org.trainer.core.job;

import java.nio.charset.StandardCharsets;

import org.trainer.core.io.AtomicFile;

/** A job for the tests that says it has started training (output/data/started) and never finishes. */
public class MarkedSleepingJob implements JobDefinition {
    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec();
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        // Atomic: a test that sees the file reads the whole pid.
        AtomicFile.write(ctx.outputDataDir().resolve("started"),
                Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(600_000);
    }
}
