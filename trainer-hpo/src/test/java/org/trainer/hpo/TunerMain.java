package org.trainer.hpo;

import java.nio.file.Path;
import java.time.Duration;

import org.trainer.core.job.TrainingJob;

/** A tuner JVM for the tests: one study whose single trial runs {@link SleepingTrialJob} as a child JVM under args[0]. */
public final class TunerMain {
    private TunerMain() {
    }

    public static void main(String[] args) throws Exception {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).build();
        try (Study study = Study.builder().name("orphans").direction(Direction.MINIMIZE).space(space).build();
             JobTrialExecutor ex = JobTrialExecutor.builder(Path.of(args[0]), SleepingTrialJob.class.getName())
                     .metric("loss").timeout(Duration.ofMinutes(10)).jvmArgs(TrainingJob.defaultJvmArgs()).build(1)) {
            study.optimize(ex, 1);
        }
    }
}
