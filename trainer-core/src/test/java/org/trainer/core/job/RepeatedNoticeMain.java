package org.trainer.core.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.trainer.core.train.checkpoint.StopRequest;

/**
 * A child JVM for the tests that takes many interruption notices without the cost of a JVM start
 * for each: it runs {@link SpotJob} in the directory args[0] as {@link Main} does, SIGTERM handling
 * included, and after an interrupted attempt starts the next one in this JVM from fresh objects,
 * until the job completes. After each attempt it appends "exit code, iteration" to
 * {@code output/data/attempts.txt}.
 */
public final class RepeatedNoticeMain {
    private RepeatedNoticeMain() {
    }

    public static void main(String[] args) throws Exception {
        ParentWatch.start(System.getenv(TrainingJob.PARENT_PID_ENV));
        TrainingJob job = new TrainingJob(Path.of(args[0]));
        JobConfiguration config = JobConfiguration.read(job.directory());
        while (true) {
            TrainingJob attempt = new TrainingJob(job.directory().root());
            StopRequest stop = new StopRequest();
            TerminationNotice notice = TerminationNotice.install(stop, config.gracePeriod(), attempt::cutShort);
            JobResult r = attempt.run(new SpotJob(), stop);
            notice.disarm();
            Object iteration = JsonFiles.readObject(job.directory().statusFile()).get("iteration");
            Files.writeString(job.directory().outputDataDir().resolve("attempts.txt"), r.exitCode() + "," + iteration
                    + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (r.exitCode() != TrainingJob.INTERRUPTED) {
                System.exit(r.exitCode());
            }
        }
    }
}
