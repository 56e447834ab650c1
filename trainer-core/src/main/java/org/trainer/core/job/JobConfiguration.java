package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the service runs a training job, as {@code input/config/job.json} gives it (every key optional):
 * <pre>
 *   max_run         seconds of training, over all attempts, after which the job checkpoints, stops
 *                   and reports MaxRuntimeExceeded, keeping its last checkpoint's model as the artifact
 *   max_wait        seconds in all, training plus waiting for capacity, after which a managed-spot
 *                   runner gives up (MaxWaitTimeExceeded); needs max_run, and must exceed it
 *   grace_period    seconds between an interruption notice (SIGTERM) and the job's exit: the job
 *                   checkpoints after its current step, and falls back to its newest periodic
 *                   checkpoint when this runs out (default 120, SageMaker's two-minute notice)
 *   checkpoint_uri  a durable copy of checkpoints/ that outlives the machine: a path or a file: URI,
 *                   or another scheme served by a {@link org.trainer.core.train.checkpoint.CheckpointLocation.Provider}
 * </pre>
 * Times are positive numbers of seconds (JSON numbers or, as SageMaker passes them, strings). An
 * unknown key or an unusable value fails the job before it trains, naming the key and the value.
 */
public record JobConfiguration(Optional<Duration> maxRun, Optional<Duration> maxWait, Duration gracePeriod,
                               Optional<String> checkpointUri) {
    /** The grace period when job.json gives none: SageMaker's two-minute spot notice. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(120);
    private static final List<String> KEYS = List.of("max_run", "max_wait", "grace_period", "checkpoint_uri");

    /**
     * @throws JobConfigurationException when max_wait is given without max_run, or is not greater than it
     */
    public JobConfiguration {
        if (maxWait.isPresent() && maxRun.isEmpty()) {
            throw new JobConfigurationException("job.json: max_wait = " + seconds(maxWait.get())
                    + " is given without max_run; max_wait bounds training plus waiting, so it needs max_run");
        }
        if (maxWait.isPresent() && maxWait.get().compareTo(maxRun.get()) <= 0) {
            throw new JobConfigurationException("job.json: max_wait = " + seconds(maxWait.get())
                    + " must be greater than max_run = " + seconds(maxRun.get())
                    + " (max_wait counts training plus waiting for capacity)");
        }
        if (gracePeriod == null || gracePeriod.isNegative() || gracePeriod.isZero()) {
            throw new JobConfigurationException("job.json: grace_period must be positive, got " + gracePeriod);
        }
    }

    /** No stopping condition, the default grace period, no durable checkpoint copy. */
    public static JobConfiguration defaults() {
        return new JobConfiguration(Optional.empty(), Optional.empty(), DEFAULT_GRACE_PERIOD, Optional.empty());
    }

    /** Reads the job's {@code input/config/job.json}; an absent file gives {@link #defaults()}. */
    public static JobConfiguration read(JobDirectory dir) throws IOException {
        if (!Files.exists(dir.jobConfigurationFile())) {
            return defaults();
        }
        Map<String, Object> raw;
        try {
            raw = JsonFiles.readObject(dir.jobConfigurationFile());
        } catch (JobConfigurationException e) {
            throw new JobConfigurationException("job.json: " + e.getMessage(), e);
        }
        return parse(raw);
    }

    /**
     * Parses the keys of job.json.
     *
     * @throws JobConfigurationException for an unknown key or a value that is not what the key needs
     */
    public static JobConfiguration parse(Map<String, ?> raw) {
        for (String key : raw.keySet()) {
            if (!KEYS.contains(key)) {
                throw new JobConfigurationException("job.json: unknown key '" + key + "'; known: " + KEYS);
            }
        }
        Object uri = raw.get("checkpoint_uri");
        if (raw.containsKey("checkpoint_uri") && !(uri instanceof String s && !s.isBlank())) {
            throw new JobConfigurationException("job.json: checkpoint_uri must be a non-blank string, got " + uri);
        }
        return new JobConfiguration(duration(raw, "max_run"), duration(raw, "max_wait"),
                duration(raw, "grace_period").orElse(DEFAULT_GRACE_PERIOD), Optional.ofNullable((String) uri));
    }

    /** This configuration as job.json's keys (for {@link JobDirectory#writeJobConfiguration}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        maxRun.ifPresent(d -> m.put("max_run", d.toNanos() / 1e9));
        maxWait.ifPresent(d -> m.put("max_wait", d.toNanos() / 1e9));
        m.put("grace_period", gracePeriod.toNanos() / 1e9);
        checkpointUri.ifPresent(u -> m.put("checkpoint_uri", u));
        return m;
    }

    private static Optional<Duration> duration(Map<String, ?> raw, String key) {
        if (!raw.containsKey(key)) {
            return Optional.empty();
        }
        Object v = raw.get(key);
        double s;
        if (v instanceof Number n) {
            s = n.doubleValue();
        } else if (v instanceof String text) {
            try {
                s = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
        } else {
            s = Double.NaN;
        }
        if (!(s > 0) || s > 1e9) {
            throw new JobConfigurationException("job.json: " + key + " must be a positive number of seconds, got "
                    + (v instanceof String ? "\"" + v + "\"" : v));
        }
        return Optional.of(Duration.ofNanos(Math.round(s * 1e9)));
    }

    /** A duration as seconds, as job.json writes it: 120, or 1.5. */
    static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}
