package org.trainer.core.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a training job ended: its exit code (0 on success), the text of {@code output/failure} (null
 * on success) and the figures of {@code output/data/metrics.json} (empty when none were reported).
 */
public record JobResult(JobDirectory directory, int exitCode, String failure, Map<String, Double> metrics) {

    /**
     * Copies the metrics.
     *
     * @param directory the job's directory
     * @param exitCode the exit code
     * @param failure the failure message, or null
     * @param metrics the reported figures
     */
    public JobResult {
        metrics = Map.copyOf(metrics);
    }

    /** How a job ended, by its exit code. */
    public enum Status {
        /** Exit 0. */
        COMPLETED,
        /** Stopped on an interruption notice with its state in a checkpoint ({@link TrainingJob#INTERRUPTED}). */
        INTERRUPTED,
        /** Stopped past max_run, its last checkpoint's model in model/ ({@link TrainingJob#MAX_RUNTIME_EXCEEDED}). */
        MAX_RUNTIME_EXCEEDED,
        /** Any other exit code. */
        FAILED
    }

    public boolean succeeded() {
        return exitCode == 0 && failure == null;
    }

    /**
     * The status the exit code gives: an interrupted job and one past max_run have not failed; a job
     * with an {@code output/failure} has.
     */
    public Status status() {
        if (succeeded()) {
            return Status.COMPLETED;
        }
        if (failure != null) {
            return Status.FAILED;
        }
        return exitCode == TrainingJob.INTERRUPTED ? Status.INTERRUPTED
                : exitCode == TrainingJob.MAX_RUNTIME_EXCEEDED ? Status.MAX_RUNTIME_EXCEEDED : Status.FAILED;
    }

    /** Reads what a finished job left in its directory. */
    public static JobResult read(JobDirectory dir, int exitCode) throws IOException {
        String failure = Files.exists(dir.failureFile())
                ? Files.readString(dir.failureFile(), StandardCharsets.UTF_8) : null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        Path m = dir.outputDataDir().resolve("metrics.json");
        if (Files.exists(m)) {
            for (Map.Entry<String, Object> e : JsonFiles.readObject(m).entrySet()) {
                Object v = e.getValue();
                metrics.put(e.getKey(), v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v)));
            }
        }
        return new JobResult(dir, exitCode, failure, metrics);
    }
}
