package org.trainer.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.hpo.Trial;
import org.trainer.hpo.TrialExecutor;
import org.trainer.hpo.TrialPruned;

/**
 * Runs each trial of a study as a Spark task, as Hyperopt's SparkTrials does: the coordinator (the
 * driver's {@link org.trainer.hpo.Study}) asks its sampler and journals every event as with any
 * executor; each trial becomes one Spark job of one task that runs a {@link RemoteObjective} on an
 * executor, submitted from a driver-side pool of {@link #parallelism()} threads (Spark runs
 * concurrent jobs), so at most that many trials run at once.
 *
 * <pre>{@code
 * try (SparkTrialExecutor ex = SparkTrialExecutor.builder(MyTuning::objective)
 *         .parallelism(4).retries(1).timeout(Duration.ofMinutes(30)).build()) {
 *     study.optimize(ex, 40);
 * }
 * }</pre>
 *
 * <p>Pruning: a task's {@link RemoteTrial#report} POSTs the value to a small HTTP endpoint on the
 * driver ({@link TrialEndpoint}), which calls {@link Trial#report} and {@link Trial#shouldPrune()}
 * on the live trial and sends the decision back; each request carries its trial's token
 * ({@link TrialTokens}). A task whose objective stops on that decision ends the trial PRUNED.
 *
 * <p>Faults: a task that throws, or whose executor is lost, fails its job; the trial is then run
 * again as a new job, up to {@code retries} times, and when every attempt failed its future
 * completes with a {@link SparkTrialException} naming the last task error, so the study records it
 * FAILED and goes on. Spark's own task retries ({@code spark.task.maxFailures}, and {@code F} of
 * {@code local[N,F]}) happen inside each job first: a trial runs at most
 * {@code maxFailures * (retries + 1)} times. A trial past its {@code timeout} is cancelled and fails
 * without a retry.
 *
 * <p>The study must declare its ranges ({@link #supportsDefineByRun()} false): a task receives the
 * parameters when it starts.
 *
 * <p>The Spark context is, in order: the one given to the builder; one created from the builder's
 * master URL; the active one of this JVM (e.g. under spark-submit); else an embedded
 * {@code local[parallelism]} one. Contexts created here are stopped by {@link #close()}.
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrialExecutor.class);
    private static final AtomicInteger EXECUTORS = new AtomicInteger();
    /** Spark's local property that lets a cancelled job interrupt its tasks' threads. */
    private static final String INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel";
    /** Spark's local property for the description its UI shows for a job. */
    private static final String JOB_DESCRIPTION = "spark.job.description";

    private final RemoteObjective objective;
    private final int parallelism;
    private final int retries;
    private final Duration timeout;
    private final SparkContext sc;
    private final JavaSparkContext jsc;
    private final boolean ownsContext;
    private final TrialTokens tokens;
    private final TrialEndpoint endpoint;
    private final ExecutorService pool;
    private final int id;
    private final Map<Integer, Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A submitted trial: its future and the Spark job of its current attempt. */
    private static final class Running {
        final CompletableFuture<Double> future;
        volatile JavaFutureAction<List<TaskOutcome>> job;

        Running(CompletableFuture<Double> future) {
            this.future = future;
        }
    }

    private SparkTrialExecutor(Builder b) {
        this.objective = b.objective;
        this.parallelism = b.parallelism;
        this.retries = b.retries;
        this.timeout = b.timeout;
        SparkContext context = b.sparkContext;
        boolean owned = false;
        if (context == null && b.master != null) {
            context = new SparkContext(conf(b.master));
            owned = true;
        }
        if (context == null) {
            scala.Option<SparkContext> active = SparkContext$.MODULE$.getActive();
            if (active.isDefined()) {
                context = active.get();
            } else {
                // No Spark task retries inside a job (F = 1): the executor's own retries are the only ones.
                context = new SparkContext(conf("local[" + parallelism + "]"));
                owned = true;
            }
        }
        if (context.isStopped()) {
            throw new IllegalStateException("SparkTrialExecutor: the Spark context of application "
                    + context.applicationId() + " is stopped");
        }
        this.sc = context;
        this.ownsContext = owned;
        this.jsc = JavaSparkContext.fromSparkContext(sc);
        this.id = EXECUTORS.incrementAndGet();
        try {
            SparkConf conf = sc.getConf();
            boolean authenticate = conf.getBoolean("spark.authenticate", false);
            this.tokens = TrialTokens.create(authenticate ? sc.env().securityManager().getSecretKey() : null);
            boolean local = sc.master().startsWith("local");
            String advertised = local ? "127.0.0.1"
                    : conf.contains("spark.driver.host") ? conf.get("spark.driver.host") : localAddress();
            String bind = local ? "127.0.0.1" : conf.get("spark.driver.bindAddress", advertised);
            this.endpoint = new TrialEndpoint(tokens, bind, advertised, Math.max(2, parallelism));
        } catch (IOException e) {
            if (owned) {
                sc.stop();
            }
            throw new UncheckedIOException("SparkTrialExecutor: could not start the trial report endpoint: " + e, e);
        }
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "spark-trial-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        if (slots < parallelism) {
            LOG.warn("parallelism {} exceeds the {} task slots of master {} now: trials will wait for slots",
                    parallelism, slots, sc.master());
        }
        LOG.info("running trials on {}, {} at once, {} retries (report tokens from {})", sc.master(), parallelism,
                retries, tokens.fromSparkSecret() ? "spark.authenticate.secret" : "a fresh per-executor key");
    }

    /**
     * A builder for {@code objective}: parallelism 1, 1 retry, no timeout.
     *
     * @param objective the objective the trials run
     * @return a builder
     */
    public static Builder builder(RemoteObjective objective) {
        return new Builder(objective);
    }

    /** How many trials run at once (Hyperopt's parallelism, SageMaker's maxParallelJobs). */
    @Override
    public int parallelism() {
        return parallelism;
    }

    /**
     * How many times a failed trial is run again.
     *
     * @return the retries
     */
    public int retries() {
        return retries;
    }

    /**
     * The Spark context the trials run on.
     *
     * @return the context
     */
    public SparkContext sparkContext() {
        return sc;
    }

    /** True: tasks report to the coordinator while they run and stop when it prunes them. */
    @Override
    public boolean supportsPruning() {
        return true;
    }

    /** False: a task receives all of the trial's parameters when it starts. */
    @Override
    public boolean supportsDefineByRun() {
        return false;
    }

    /** The base URL of the report endpoint, for tests. */
    String endpointUrl() {
        return endpoint.url();
    }

    /** The report token of trial {@code number}, for tests. */
    String token(int number) {
        return tokens.token(number);
    }

    /**
     * Starts running {@code trial} as a Spark job and returns at once; registers the trial with the
     * report endpoint until it ends.
     *
     * @throws IllegalArgumentException when the trial's study declares no ranges, or a parameter's
     *                                  value is not serializable
     * @throws IllegalStateException    when the executor is closed
     */
    @Override
    public CompletableFuture<Double> submit(Trial trial) {
        Objects.requireNonNull(trial, "SparkTrialExecutor.submit: trial");
        if (closed.get()) {
            throw new IllegalStateException("SparkTrialExecutor: closed; cannot run trial " + trial.number());
        }
        if (trial.study().space().isEmpty()) {
            throw new IllegalArgumentException("SparkTrialExecutor: trial " + trial.number() + " of study '"
                    + trial.study().name() + "' has no parameters yet (define-by-run); declare the study's ranges");
        }
        Map<String, Object> params = new LinkedHashMap<>(trial.params());
        params.forEach((k, v) -> {
            if (v != null && !(v instanceof Serializable)) {
                throw new IllegalArgumentException("SparkTrialExecutor: parameter '" + k + "' of trial " + trial.number()
                        + " is a " + v.getClass().getName() + ", not Serializable; a task cannot receive it");
            }
        });
        CompletableFuture<Double> f = new CompletableFuture<>();
        Running r = new Running(f);
        running.put(trial.number(), r);
        endpoint.register(trial);
        pool.execute(() -> {
            try {
                run(trial, params, r);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            } finally {
                endpoint.unregister(trial.number());
                running.remove(trial.number(), r);
            }
        });
        return f;
    }

    /** Runs the trial's attempts one after another on this pool thread and completes its future. */
    private void run(Trial trial, Map<String, Object> params, Running r) {
        int number = trial.number();
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        String lastError = null;
        Throwable lastCause = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (closed.get()) {
                r.future.completeExceptionally(new SparkTrialException("trial " + number
                        + ": the executor was closed before attempt " + attempt, null));
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                r.future.completeExceptionally(new SparkTrialException("trial " + number + ": timed out after "
                        + timeout + " (before attempt " + attempt + ")", lastCause));
                return;
            }
            sc.setLocalProperty(JOB_DESCRIPTION, "trainer-spark: trial " + number + " (attempt " + attempt + ")");
            sc.setLocalProperty(INTERRUPT_ON_CANCEL, "true");
            TrialTask task = new TrialTask(objective, endpoint.url(), tokens.ticket(number), trial.seed(), attempt, params);
            JavaFutureAction<List<TaskOutcome>> job = jsc.parallelize(List.of(number), 1).map(task).collectAsync();
            r.job = job;
            if (closed.get()) {
                job.cancel(true); // close() ran before this job was visible to it
            }
            try {
                List<TaskOutcome> out = timeout == null ? job.get() : job.get(left, TimeUnit.NANOSECONDS);
                TaskOutcome o = out.get(0);
                if (o.pruned()) {
                    r.future.completeExceptionally(new TrialPruned("trial " + number + " pruned at step " + o.lastStep()));
                } else {
                    r.future.complete(o.value());
                }
                return;
            } catch (TimeoutException e) {
                job.cancel(true);
                r.future.completeExceptionally(new SparkTrialException("trial " + number + ": timed out after "
                        + timeout + " (attempt " + attempt + " cancelled)", null));
                return;
            } catch (CancellationException e) {
                r.future.completeExceptionally(new SparkTrialException("trial " + number
                        + ": cancelled because the executor was closed", e));
                return;
            } catch (InterruptedException e) {
                job.cancel(true);
                Thread.currentThread().interrupt();
                r.future.completeExceptionally(new SparkTrialException("trial " + number + ": interrupted", e));
                return;
            } catch (ExecutionException e) {
                Throwable failure = e.getCause() != null ? e.getCause() : e;
                lastError = taskError(failure);
                lastCause = failure.getCause() != null ? failure.getCause() : failure;
                if (attempt < retries) {
                    LOG.warn("trial {}: attempt {} failed, running it again: {}", number, attempt, lastError);
                }
            }
        }
        r.future.completeExceptionally(new SparkTrialException("trial " + number + " failed on all " + (retries + 1)
                + " attempts, the last with: " + lastError, lastCause));
    }

    /**
     * The task's error from a failed job: the task's own exception when Spark could bring it back
     * (its cause), else the reason in Spark's message (e.g. a lost executor).
     */
    static String taskError(Throwable e) {
        if (e.getCause() != null) {
            return e.getCause().toString();
        }
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("most recent failure: ");
        if (at >= 0) {
            m = m.substring(at + "most recent failure: ".length());
        }
        int line = m.indexOf('\n');
        return (line >= 0 ? m.substring(0, line) : m).strip();
    }

    /**
     * Cancels the running trials' Spark jobs (their futures complete exceptionally), stops the
     * report endpoint, the driver-side threads and a Spark context created by this executor.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Running r : running.values()) {
            JavaFutureAction<List<TaskOutcome>> job = r.job;
            if (job != null) {
                job.cancel(true);
            }
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("trials still running 30 s after their Spark jobs were cancelled");
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
        for (Map.Entry<Integer, Running> e : running.entrySet()) {
            e.getValue().future.completeExceptionally(new SparkTrialException("trial " + e.getKey()
                    + ": the executor was closed", null));
        }
        endpoint.close();
        if (ownsContext) {
            sc.stop();
        }
    }

    @Override
    public String toString() {
        return "SparkTrialExecutor(" + sc.master() + ", parallelism=" + parallelism + ", retries=" + retries + ")";
    }

    private static SparkConf conf(String masterUrl) {
        SparkConf conf = new SparkConf().setMaster(masterUrl).setAppName("trainer-spark trials");
        if (masterUrl.startsWith("local")) {
            // Everything runs in this JVM: no web UI, and no dependence on how the host name resolves.
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("SparkTrialExecutor: spark.driver.host is not set and this host's name"
                    + " does not resolve: " + e.getMessage(), e);
        }
    }

    /** Collects a {@link SparkTrialExecutor}'s settings; {@link #build()} starts it. */
    public static final class Builder {
        private final RemoteObjective objective;
        private SparkContext sparkContext;
        private String master;
        private int parallelism = 1;
        private int retries = 1;
        private Duration timeout;

        private Builder(RemoteObjective objective) {
            this.objective = Objects.requireNonNull(objective, "SparkTrialExecutor.builder: objective");
        }

        /**
         * Runs the trials on this context (never stopped by the executor).
         *
         * @param sc the context
         * @return this builder
         */
        public Builder sparkContext(SparkContext sc) {
            this.sparkContext = Objects.requireNonNull(sc, "SparkTrialExecutor.Builder.sparkContext: sc");
            return this;
        }

        /**
         * Runs the trials on this context (never stopped by the executor).
         *
         * @param jsc the context
         * @return this builder
         */
        public Builder sparkContext(JavaSparkContext jsc) {
            return sparkContext(Objects.requireNonNull(jsc, "SparkTrialExecutor.Builder.sparkContext: jsc").sc());
        }

        /**
         * Creates a context with this master URL (e.g. {@code spark://host:7077} or {@code local[4]}),
         * stopped by {@link SparkTrialExecutor#close()}.
         *
         * @param masterUrl the master URL
         * @return this builder
         * @throws IllegalArgumentException if the URL is blank
         */
        public Builder master(String masterUrl) {
            Objects.requireNonNull(masterUrl, "SparkTrialExecutor.Builder.master: masterUrl");
            if (masterUrl.isBlank()) {
                throw new IllegalArgumentException("SparkTrialExecutor.master: must be a Spark master URL, got \""
                        + masterUrl + "\"");
            }
            this.master = masterUrl;
            return this;
        }

        /**
         * How many trials run at once, each one Spark task (default 1).
         *
         * @param n trials at once
         * @return this builder
         * @throws IllegalArgumentException if n &lt; 1
         */
        public Builder parallelism(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("SparkTrialExecutor.parallelism: must be >= 1, got " + n);
            }
            this.parallelism = n;
            return this;
        }

        /**
         * How many times a trial whose task failed is run again as a new Spark job (default 1).
         *
         * @param n the retries
         * @return this builder
         * @throws IllegalArgumentException if n &lt; 0
         */
        public Builder retries(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("SparkTrialExecutor.retries: must be >= 0, got " + n);
            }
            this.retries = n;
            return this;
        }

        /**
         * How long a trial may run, its retries included; past it the trial's job is cancelled and
         * the trial fails (default: no limit).
         *
         * @param timeout the longest a trial may run
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "SparkTrialExecutor.Builder.timeout: timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("SparkTrialExecutor.timeout: must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Starts the executor: resolves (or creates) the Spark context and starts the report endpoint.
         *
         * @return the executor
         * @throws IllegalStateException if both a context and a master URL were given, or the context is stopped
         */
        public SparkTrialExecutor build() {
            if (sparkContext != null && master != null) {
                throw new IllegalStateException("SparkTrialExecutor: give either sparkContext or master, not both"
                        + " (master " + master + ")");
            }
            return new SparkTrialExecutor(this);
        }
    }
}
