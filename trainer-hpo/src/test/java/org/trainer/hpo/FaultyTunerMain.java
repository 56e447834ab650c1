package org.trainer.hpo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.job.TrainingJob;

/**
 * The tuner JVM of {@link TuningJobFaultsTest}: a journaled random-search tuning job whose trials
 * run {@link CheckpointingTrialJob} as child JVMs, two at a time. Arguments: the root (journal in
 * {@code journal/}, trials in {@code trials/}, data in {@code data/}), maxJobs, the trials' step_ms;
 * while the file {@value #PAUSE} exists in the root, the trials' training stands still.
 * Run again over the same root, it resumes the study.
 */
public final class FaultyTunerMain {
    /** While a file of this name exists in the root, the trials' training stands still. */
    static final String PAUSE = "pause";
    private FaultyTunerMain() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        int maxJobs = Integer.parseInt(args[1]);
        long stepMillis = Long.parseLong(args[2]);
        List<String> jvm = new ArrayList<>(TrainingJob.defaultJvmArgs());
        jvm.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC"));
        TuningJob job = TuningJob.builder().name("faults").objective("loss", Direction.MINIMIZE)
                .ranges(SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).build())
                .strategy(Strategy.RANDOM).maxJobs(maxJobs).maxParallelJobs(2).seed(19)
                .journal(root.resolve("journal")).build();
        TuningResult r = job.runWith(slots -> JobTrialExecutor.builder(root.resolve("trials"),
                        CheckpointingTrialJob.class.getName()).channel("train", root.resolve("data"))
                .hyperparameters(Map.of("step_ms", stepMillis, "pause_file", root.resolve(PAUSE).toString()))
                .metric("loss").timeout(Duration.ofMinutes(5))
                .jvmArgs(jvm).build(slots));
        System.out.println("best " + r.bestTrial().map(FrozenTrial::value).orElse(null));
    }
}
