package org.trainer.core.job;

import java.nio.file.Path;
import java.time.Duration;

/** A parent JVM for the tests: runs {@link MarkedSleepingJob} in a child JVM in the directory args[0]. */
public final class ChildJobParentMain {
    private ChildJobParentMain() {
    }

    public static void main(String[] args) throws Exception {
        new TrainingJob(Path.of(args[0])).runInChildJvm(MarkedSleepingJob.class.getName(),
                TrainingJob.defaultJvmArgs(), Duration.ofMinutes(10));
    }
}
