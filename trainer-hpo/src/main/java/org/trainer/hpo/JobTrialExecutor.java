package org.trainer.hpo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.JobResult;
import org.trainer.core.job.TrainingJob;

/**
 * Runs each trial as a {@link TrainingJob} in a child JVM, so that a trial that crashes its JVM,
 * runs out of memory or hangs fails alone and the study goes on.
 *
 * <p>Trial n gets the job directory {@code root/trial-n} (SageMaker's layout): its
 * {@code input/config/hyperparameters.json} holds the fixed hyperparameters plus the trial's
 * parameters (the trial's values win), each data channel is a symbolic link to the given folder,
 * and the objective is the metric named {@code metric} that the job reported
 * ({@code output/data/metrics.json}). A job that fails (non-zero exit, killed past its time
 * limit, no such metric) completes the trial exceptionally with the job's {@code output/failure}
 * text. A trial re-run after a crash of the tuner reuses its directory, so a job that
 * checkpoints resumes where it stopped.
 *
 * <p>Trials run to their end here: pruning needs the in-process {@link ThreadPoolTrialExecutor}.
 */
public final class JobTrialExecutor implements TrialExecutor {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Path root;
    private final String definitionClass;
    private final Map<String, Path> channels;
    private final Map<String, Object> fixed;
    private final String metric;
    private final int parallelism;
    private final Duration timeout;
    private final List<String> jvmArgs;
    private final ExecutorService pool;

    /**
     * @param root            where the trials' job directories go
     * @param definitionClass the {@link org.trainer.core.job.JobDefinition} class the child JVM runs
     * @param channels        data channels by name: folder that each job links as input/data/&lt;name&gt;
     * @param fixed           hyperparameters every trial gets (the trial's own parameters are added)
     * @param metric          the reported metric that is the trial's objective value
     * @param parallelism     how many jobs run at once (&gt;= 1)
     * @param timeout         a job running longer is killed and its trial fails
     * @param jvmArgs         the child JVMs' arguments, e.g. {@link TrainingJob#defaultJvmArgs()} plus -Xmx
     */
    public JobTrialExecutor(Path root, String definitionClass, Map<String, Path> channels, Map<String, ?> fixed,
                            String metric, int parallelism, Duration timeout, List<String> jvmArgs) {
        this.root = Objects.requireNonNull(root, "root");
        this.definitionClass = Objects.requireNonNull(definitionClass, "definitionClass");
        this.channels = Map.copyOf(Objects.requireNonNull(channels, "channels"));
        this.fixed = new LinkedHashMap<>(Objects.requireNonNull(fixed, "fixed"));
        this.metric = Objects.requireNonNull(metric, "metric");
        this.jvmArgs = List.copyOf(Objects.requireNonNull(jvmArgs, "jvmArgs"));
        if (parallelism < 1) {
            throw new IllegalArgumentException("JobTrialExecutor: parallelism must be >= 1, got " + parallelism);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("JobTrialExecutor: timeout must be positive, got " + timeout);
        }
        for (Map.Entry<String, Path> c : this.channels.entrySet()) {
            if (!Files.isDirectory(c.getValue())) {
                throw new IllegalArgumentException("JobTrialExecutor: channel '" + c.getKey() + "' must be a folder, got "
                        + c.getValue());
            }
        }
        this.parallelism = parallelism;
        this.timeout = timeout;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "trial-job-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    /** The job directory of trial {@code number}. */
    public Path jobDirectory(int number) {
        return root.resolve("trial-" + number);
    }

    @Override
    public CompletableFuture<Double> submit(Trial trial) {
        CompletableFuture<Double> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                f.complete(run(trial));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private double run(Trial trial) throws IOException, InterruptedException {
        JobDirectory dir = JobDirectory.of(jobDirectory(trial.number()));
        Map<String, Object> hp = new LinkedHashMap<>(fixed);
        hp.putAll(trial.params());
        dir.writeHyperparameters(hp);
        for (Map.Entry<String, Path> c : channels.entrySet()) {
            Path link = dir.channel(c.getKey());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, c.getValue().toAbsolutePath());
            }
        }
        JobResult r = new TrainingJob(dir.root()).runInChildJvm(definitionClass, jvmArgs, timeout);
        if (!r.succeeded()) {
            throw new IllegalStateException("trial " + trial.number() + ": job " + dir.root().getFileName()
                    + " failed (exit code " + r.exitCode() + "): " + r.failure().strip());
        }
        Double v = r.metrics().get(metric);
        if (v == null) {
            throw new IllegalStateException("trial " + trial.number() + ": job " + dir.root().getFileName()
                    + " reported no '" + metric + "' among " + r.metrics().keySet());
        }
        return v;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
