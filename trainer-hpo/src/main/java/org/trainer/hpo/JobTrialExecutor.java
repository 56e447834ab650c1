package org.trainer.hpo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.job.Interruption;
import org.trainer.core.job.JobConfiguration;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.JobResult;
import org.trainer.core.job.ManagedSpotRunner;
import org.trainer.core.job.SpotRun;
import org.trainer.core.job.TrainingJob;

/**
 * Runs each trial as a {@link TrainingJob} in a child JVM, so that a trial that crashes its JVM,
 * runs out of memory or hangs fails alone and the study goes on.
 *
 * <pre>{@code
 * TrialExecutor ex = JobTrialExecutor.builder(root, MyJob.class.getName())
 *         .channel("train", dataDir).hyperparameters(Map.of("epochs", 8)).metric("val_loss")
 *         .timeout(Duration.ofMinutes(30)).build(2);
 * }</pre>
 *
 * <p>Trial n gets the job directory {@code root/trial-n} (SageMaker's layout): its
 * {@code input/config/hyperparameters.json} holds the fixed hyperparameters plus the trial's
 * parameters (the trial's values win), each data channel is a symbolic link to the given folder,
 * and the objective is the metric named {@code metric} that the job reported
 * ({@code output/data/metrics.json}). A job that fails (non-zero exit, killed past its time
 * limit, no such metric) completes the trial exceptionally with the job's {@code output/failure}
 * text. A trial re-run after a crash of the tuner reuses its directory, so a job that
 * checkpoints resumes where it stopped. With {@link Builder#spot} each trial is a managed-spot job
 * ({@link ManagedSpotRunner}): interrupted, it resumes from its checkpoint and is not counted as failed.
 *
 * <p>The job receives the trial's parameters when it starts and reports only when it ends: the
 * study must declare its ranges (a define-by-run trial holds no parameters yet), and trials are
 * not pruned (nothing reaches the study while the job runs). A study or tuning job refuses this
 * executor with a pruner; pruning needs an executor whose trials report while they run: the
 * in-process {@link ThreadPoolTrialExecutor}, or trainer-spark's {@code SparkTrialExecutor}.
 *
 * <p>No trial outlives the tuner: {@link #close} kills the running jobs' process trees, a shutdown
 * hook does so when the JVM exits, and a job's JVM halts by itself when the tuner's JVM is killed
 * outright (it watches its parent's pid), so that a restarted tuner never shares a trial directory
 * with an orphan.
 */
public final class JobTrialExecutor implements TrialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(JobTrialExecutor.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Path root;
    private final String definitionClass;
    private final Map<String, Path> channels;
    private final Map<String, Object> fixed;
    private final String metric;
    private final int parallelism;
    private final Duration timeout;
    private final List<String> jvmArgs;
    private final IntFunction<List<Interruption>> spotInterruptions;
    private final Duration capacityWait;
    private final Map<Integer, SpotRun> spotRuns = new ConcurrentHashMap<>();
    private final ExecutorService pool;

    private JobTrialExecutor(Builder b, int parallelism) {
        this.root = b.root;
        this.definitionClass = b.definitionClass;
        this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(b.channels));
        this.fixed = new LinkedHashMap<>(b.fixed);
        this.metric = b.metric;
        this.jvmArgs = b.jvmArgs;
        this.parallelism = parallelism;
        this.timeout = b.timeout;
        this.spotInterruptions = b.spotInterruptions;
        this.capacityWait = b.capacityWait;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "trial-job-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts configuring an executor.
     *
     * @param root            where the trials' job directories go
     * @param definitionClass the {@link org.trainer.core.job.JobDefinition} class the child JVM runs
     * @return a builder
     */
    public static Builder builder(Path root, String definitionClass) {
        return new Builder(root, definitionClass);
    }

    /** Configures a {@link JobTrialExecutor}; the metric and the timeout are required. */
    public static final class Builder {
        private final Path root;
        private final String definitionClass;
        private final Map<String, Path> channels = new LinkedHashMap<>();
        private final Map<String, Object> fixed = new LinkedHashMap<>();
        private String metric;
        private Duration timeout;
        private List<String> jvmArgs = TrainingJob.defaultJvmArgs();
        private IntFunction<List<Interruption>> spotInterruptions;
        private Duration capacityWait = Duration.ZERO;

        private Builder(Path root, String definitionClass) {
            this.root = Objects.requireNonNull(root, "JobTrialExecutor.builder: root");
            this.definitionClass = Objects.requireNonNull(definitionClass, "JobTrialExecutor.builder: definitionClass");
            if (definitionClass.isBlank()) {
                throw new IllegalArgumentException("JobTrialExecutor.builder: definitionClass must not be blank");
            }
        }

        /**
         * A data channel: each job links {@code folder} as {@code input/data/<name>}.
         *
         * @param name the channel's name
         * @param folder the data
         * @return this builder
         */
        public Builder channel(String name, Path folder) {
            Objects.requireNonNull(name, "JobTrialExecutor.Builder.channel: name");
            Objects.requireNonNull(folder, "JobTrialExecutor.Builder.channel: folder");
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("JobTrialExecutor: channel '" + name + "' must be a folder, got " + folder);
            }
            channels.put(name, folder);
            return this;
        }

        /**
         * Hyperparameters every trial gets (the trial's own parameters are added and win).
         *
         * @param hyperparameters the common values by name
         * @return this builder
         */
        public Builder hyperparameters(Map<String, ?> hyperparameters) {
            Objects.requireNonNull(hyperparameters, "JobTrialExecutor.Builder.hyperparameters: hyperparameters");
            fixed.putAll(hyperparameters);
            return this;
        }

        /**
         * The reported metric that is the trial's objective value.
         *
         * @param metric the metric's name
         * @return this builder
         */
        public Builder metric(String metric) {
            Objects.requireNonNull(metric, "JobTrialExecutor.Builder.metric: metric");
            if (metric.isBlank()) {
                throw new IllegalArgumentException("JobTrialExecutor: metric must not be blank");
            }
            this.metric = metric;
            return this;
        }

        /**
         * A job running longer is killed and its trial fails.
         *
         * @param timeout the longest a job may run
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "JobTrialExecutor.Builder.timeout: timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("JobTrialExecutor: timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The child JVMs' arguments (default {@link TrainingJob#defaultJvmArgs()}), e.g. those plus -Xmx.
         *
         * @param jvmArgs the arguments
         * @return this builder
         */
        public Builder jvmArgs(List<String> jvmArgs) {
            this.jvmArgs = List.copyOf(Objects.requireNonNull(jvmArgs, "JobTrialExecutor.Builder.jvmArgs: jvmArgs"));
            return this;
        }

        /**
         * Runs each trial as a managed-spot job ({@link ManagedSpotRunner}): trial n's job gets the
         * interruptions {@code interruptionsOfTrial.apply(n)} and, after each, is started again after
         * the simulated {@code capacityWait}; it resumes from its checkpoint, and an interrupted trial
         * is not a failed one. The timeout becomes the job's max_run ({@code input/config/job.json},
         * written for each trial): a job stopped past it fails its trial. The job must checkpoint
         * ({@code ctx.checkpointing()}) to lose nothing on an interruption.
         */
        public Builder spot(IntFunction<List<Interruption>> interruptionsOfTrial, Duration capacityWait) {
            this.spotInterruptions = Objects.requireNonNull(interruptionsOfTrial,
                    "JobTrialExecutor.Builder.spot: interruptionsOfTrial");
            if (capacityWait == null || capacityWait.isNegative()) {
                throw new IllegalArgumentException("JobTrialExecutor: capacityWait must be >= 0, got " + capacityWait);
            }
            this.capacityWait = capacityWait;
            return this;
        }

        /** An executor running {@code parallelism} jobs at once (&gt;= 1). */
        public JobTrialExecutor build(int parallelism) {
            if (parallelism < 1) {
                throw new IllegalArgumentException("JobTrialExecutor: parallelism must be >= 1, got " + parallelism);
            }
            if (metric == null) {
                throw new IllegalArgumentException("JobTrialExecutor: metric(name) is required");
            }
            if (timeout == null) {
                throw new IllegalArgumentException("JobTrialExecutor: timeout(duration) is required");
            }
            return new JobTrialExecutor(this, parallelism);
        }
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    /**
     * The job directory of trial {@code number}.
     *
     * @param number a trial's number
     * @return its job directory
     */
    public Path jobDirectory(int number) {
        return root.resolve("trial-" + number);
    }

    /** False: a job reports its metrics only when it ends. */
    @Override
    public boolean supportsPruning() {
        return false;
    }

    /** False: a job gets the parameters the trial holds when it is submitted. */
    @Override
    public boolean supportsDefineByRun() {
        return false;
    }

    /**
     * @throws IllegalArgumentException when the trial's study declares no ranges (its trials
     *                                  hold no parameters when they start)
     */
    @Override
    public CompletableFuture<Double> submit(Trial trial) {
        Objects.requireNonNull(trial, "JobTrialExecutor.submit: trial");
        if (trial.study().space().isEmpty()) {
            throw new IllegalArgumentException("JobTrialExecutor: trial " + trial.number() + " of study '"
                    + trial.study().name() + "' has no parameters yet (define-by-run); declare the study's ranges");
        }
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
        JobResult r = spotInterruptions == null ? new TrainingJob(dir.root()).runInChildJvm(definitionClass, jvmArgs, timeout)
                : runSpot(trial.number(), dir);
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

    /** Runs a trial's job under a {@link ManagedSpotRunner}; returns what its last attempt left. */
    private JobResult runSpot(int number, JobDirectory dir) throws IOException, InterruptedException {
        dir.writeJobConfiguration(new JobConfiguration(Optional.of(timeout), Optional.empty(),
                JobConfiguration.DEFAULT_GRACE_PERIOD, Optional.empty()));
        List<Interruption> planned = spotInterruptions.apply(number);
        SpotRun run = ManagedSpotRunner.builder(dir.root(), definitionClass).jvmArgs(jvmArgs)
                .interruptions(planned == null ? List.of() : planned).capacityWait(capacityWait).build().run();
        spotRuns.put(number, run);
        if (run.status() == SpotRun.Status.MAX_RUNTIME_EXCEEDED) {
            throw new IllegalStateException("trial " + number + ": job " + dir.root().getFileName() + " ran past its "
                    + "limit of " + timeout + " of training (MaxRuntimeExceeded)");
        }
        return run.last();
    }

    /**
     * What managed-spot training reported of trial {@code number} (attempts, interruptions, training
     * and billable seconds), once it ran with {@link Builder#spot}; empty otherwise.
     */
    public Optional<SpotRun> spotRun(int number) {
        return Optional.ofNullable(spotRuns.get(number));
    }

    @Override
    public String toString() {
        return "JobTrialExecutor(" + definitionClass + ", parallelism=" + parallelism + ")";
    }

    /**
     * Stops the trials: each running job's child JVM and its descendants are killed (the waiting
     * threads are interrupted, and {@link TrainingJob#runInChildJvm} kills its child when
     * interrupted), and this returns once they are gone or after 30 s, with a warning then. The
     * interrupted trials complete exceptionally.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("{}: trial jobs still running 30 s after close", this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
