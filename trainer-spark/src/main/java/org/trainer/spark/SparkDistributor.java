package org.trainer.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedFunction;

import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a {@link DistributedFunction} on {@code numProcesses} ranks as the tasks of one Spark barrier
 * stage, as PySpark's TorchDistributor does: Spark starts all ranks together (or none), places them
 * on its executors, and restarts all of them when one fails. The ranks find each other through
 * Spark ({@link SparkRendezvous}) and talk over a {@link org.trainer.distributed.TcpCollective}.
 *
 * <p>Rank r is the stage's partition r; {@link DistributedContext#attempt()} is the stage's attempt
 * number, 0 the first. A task that throws fails the stage attempt; Spark then runs every rank again
 * with the attempt counted up (up to {@code maxAttempts} in all), which is how a job resumes from the
 * checkpoint its rank 0 wrote (on a cluster, where a rank may land on a machine without that
 * checkpoint: {@link DistributedContext#checkpoints}, whose ranks resume from rank 0's choice). The stage is a shuffle-map stage feeding a one-partition result, since
 * Spark retries a failed barrier stage only of that kind.
 *
 * <p>The Spark context is, in order: the one given to the builder; one created from the builder's
 * master URL; the active one of this JVM; one created from the {@code spark.*} system properties
 * when they name a master ({@code spark.master}, which spark-submit sets for the application it
 * starts, with its {@code --conf} settings); else an embedded
 * {@code local[numProcesses,maxAttempts]} one. Contexts created here are stopped when
 * {@link #run} returns. A context's own retry settings (spark.stage.maxConsecutiveAttempts, and
 * local[N,F] or spark.task.maxFailures) bound the attempts of a context that was not created here.
 */
public final class SparkDistributor {
    private static final Logger LOG = LoggerFactory.getLogger(SparkDistributor.class);
    /** Spark's default for spark.stage.maxConsecutiveAttempts. */
    private static final int SPARK_DEFAULT_STAGE_ATTEMPTS = 4;
    /** Spark's local property for the description its UI shows for a job (SparkContext's own key). */
    private static final String JOB_DESCRIPTION = "spark.job.description";
    /** How long a failed run waits for Spark's task events before naming the ranks' errors. */
    private static final long EVENT_WAIT_MILLIS = 10_000;
    /** The system property through which spark-submit hands the application its master URL. */
    private static final String SUBMITTED_MASTER = "spark.master";
    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*(\\d+))?])?");

    private final int numProcesses;
    private final SparkContext sparkContext;
    private final String master;
    private final Duration timeout;
    private final int maxAttempts;
    private final Map<String, String> settings;

    private SparkDistributor(Builder b) {
        this.settings = Map.copyOf(b.settings);
        this.numProcesses = b.numProcesses;
        this.sparkContext = b.sparkContext;
        this.master = b.master;
        this.timeout = b.timeout;
        this.maxAttempts = b.maxAttempts;
    }

    /**
     * A builder with 1 process, a 30-minute timeout and 3 attempts.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The number of ranks each job runs.
     *
     * @return the number of ranks
     */
    public int numProcesses() {
        return numProcesses;
    }

    /**
     * How long a rank waits for the others (rendezvous and each collective operation).
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * How many attempts of a job a context created here allows (the first one included).
     *
     * @return the attempts
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Runs {@code fn} on every rank and returns rank 0's result. Blocks until the job ends; creates
     * (and stops) a Spark context when none was given and none is active. The calling thread's job
     * description (a Spark local property) names the job while it runs and is restored afterwards.
     *
     * @param <R> the result type
     * @param fn the function every rank runs
     * @return rank 0's result
     * @throws IllegalArgumentException if numProcesses exceeds the context's task slots (a barrier
     *         stage needs them all at once; Spark would otherwise wait for slots)
     * @throws SparkDistributorException if the job fails on every attempt; its message carries the
     *         failing rank's error
     */
    public <R extends Serializable> R run(DistributedFunction<R> fn) {
        Objects.requireNonNull(fn, "fn");
        SparkContext sc = sparkContext;
        boolean owned = false;
        if (sc == null && master != null) {
            sc = new SparkContext(conf(master));
            owned = true;
        }
        if (sc == null) {
            scala.Option<SparkContext> active = SparkContext$.MODULE$.getActive();
            if (active.isDefined()) {
                sc = active.get();
                if (!settings.isEmpty()) {
                    LOG.warn("running on the active Spark context, which keeps its own settings: {} are not applied",
                            settings.keySet());
                }
            } else {
                sc = new SparkContext(System.getProperty(SUBMITTED_MASTER) != null ? submittedConf()
                        : conf("local[" + numProcesses + "," + maxAttempts + "]"));
                owned = true;
            }
        }
        try {
            return runOn(sc, fn);
        } finally {
            if (owned) {
                sc.stop();
            }
        }
    }

    private <R extends Serializable> R runOn(SparkContext sc, DistributedFunction<R> fn) {
        if (sc.isStopped()) {
            throw new IllegalStateException("SparkDistributor.run: the Spark context of application "
                    + sc.applicationId() + " is stopped");
        }
        requireSlots(sc);
        warnOnRetrySettings(sc);
        JobSecret secret = JobSecret.forJob(sc.getConf());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        List<Integer> ranks = IntStream.range(0, numProcesses).boxed().collect(Collectors.toList());
        ClassTag<byte[]> bytesTag = ClassTag$.MODULE$.apply(byte[].class);
        String runId = UUID.randomUUID().toString();
        RDD<byte[]> ranRanks = jsc.parallelize(ranks, numProcesses).rdd().barrier()
                .mapPartitions(new RankTask(fn, numProcesses, timeout, secret, runId), false, bytesTag);
        LOG.info("running {} ranks on {} (key from {})", numProcesses, sc.master(),
                secret.fromSparkSecret() ? "spark.authenticate.secret" : "a fresh per-job secret");
        TaskFailures failures = new TaskFailures(runId);
        sc.addSparkListener(failures);
        String description = sc.getLocalProperty(JOB_DESCRIPTION);
        sc.setLocalProperty(JOB_DESCRIPTION, "trainer-spark: " + numProcesses + " ranks");
        sc.setLocalProperty(TaskFailures.RUN_PROPERTY, runId);
        List<byte[]> results;
        try {
            // The shuffle into one partition makes the barrier stage a shuffle-map stage, the kind
            // Spark retries (a failed barrier result stage is aborted).
            results = new JavaRDD<>(ranRanks, bytesTag).repartition(1).collect();
        } catch (Exception e) {
            // Spark's exceptions are checked in Java's terms but thrown undeclared.
            String errors = taskErrors(sc, failures);
            throw new SparkDistributorException("SparkDistributor: the job of " + numProcesses + " ranks on "
                    + sc.master() + " failed: " + (errors.isEmpty() ? e.getMessage() : errors), e);
        } finally {
            sc.setLocalProperty(TaskFailures.RUN_PROPERTY, null);
            sc.setLocalProperty(JOB_DESCRIPTION, description);
            sc.removeSparkListener(failures);
        }
        if (results.size() != 1) {
            throw new SparkDistributorException("SparkDistributor: expected rank 0's result only, got "
                    + results.size() + " results", null);
        }
        @SuppressWarnings("unchecked")
        R result = (R) deserialize(results.get(0), fn.getClass().getClassLoader());
        return result;
    }

    /** The ranks' errors of the last attempt, once Spark has delivered its task events. */
    private static String taskErrors(SparkContext sc, TaskFailures failures) {
        try {
            sc.listenerBus().waitUntilEmpty(EVENT_WAIT_MILLIS);
        } catch (TimeoutException e) {
            LOG.warn("Spark's task events took over {} ms; the error may not name every failed rank", EVENT_WAIT_MILLIS);
        }
        return failures.lastAttemptErrors();
    }

    /**
     * Refuses a job larger than the context's task slots. Spark would keep resubmitting it (40 times
     * 15 s by default) before failing; a cluster whose executors are still registering gets up to
     * the timeout to offer enough slots.
     */
    private void requireSlots(SparkContext sc) {
        Matcher local = LOCAL_MASTER.matcher(sc.master());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
            if (slots >= numProcesses) {
                return;
            }
            if (local.matches() || System.nanoTime() - deadline >= 0) {
                throw new IllegalArgumentException("SparkDistributor: numProcesses " + numProcesses
                        + " exceeds the " + slots + " task slots of master " + sc.master()
                        + " (a barrier stage needs all its tasks running at once)");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("SparkDistributor: interrupted while waiting for " + numProcesses
                        + " task slots", e);
            }
        }
    }

    /** Says when a context not created here retries the stage other than maxAttempts asks. */
    private void warnOnRetrySettings(SparkContext sc) {
        int stageAttempts = sc.getConf().getInt("spark.stage.maxConsecutiveAttempts", SPARK_DEFAULT_STAGE_ATTEMPTS);
        Matcher local = LOCAL_MASTER.matcher(sc.master());
        boolean noTaskRetry = local.matches() ? local.group(2) == null || Integer.parseInt(local.group(2)) < 2
                : sc.getConf().getInt("spark.task.maxFailures", 4) < 2;
        if (noTaskRetry && maxAttempts > 1) {
            LOG.warn("master {} fails a job on its first failed task: a barrier stage is retried only with"
                    + " local[N,F] (F >= 2) or spark.task.maxFailures >= 2", sc.master());
        } else if (stageAttempts != maxAttempts) {
            LOG.warn("the context allows {} attempts of a stage (spark.stage.maxConsecutiveAttempts), not maxAttempts {}",
                    stageAttempts, maxAttempts);
        }
    }

    private SparkConf conf(String masterUrl) {
        SparkConf conf = new SparkConf().setMaster(masterUrl).setAppName("trainer-spark")
                .set("spark.stage.maxConsecutiveAttempts", Integer.toString(maxAttempts))
                .set("spark.task.maxFailures", Integer.toString(maxAttempts));
        if (LOCAL_MASTER.matcher(masterUrl).matches()) {
            // Everything runs in this JVM: no web UI, and no dependence on how the host name resolves.
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
        }
        settings.forEach(conf::set);
        return conf;
    }

    /**
     * The settings spark-submit gave the application (system properties, its master among them), with
     * this distributor's retry settings and name where the application set none, and the builder's
     * {@link Builder#config} on top.
     */
    private SparkConf submittedConf() {
        SparkConf conf = new SparkConf().setIfMissing("spark.app.name", "trainer-spark")
                .setIfMissing("spark.stage.maxConsecutiveAttempts", Integer.toString(maxAttempts))
                .setIfMissing("spark.task.maxFailures", Integer.toString(maxAttempts));
        settings.forEach(conf::set);
        return conf;
    }

    private static Object deserialize(byte[] bytes, ClassLoader loader) {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new SparkDistributorException("SparkDistributor: could not read rank 0's result: " + e, e);
        }
    }

    /** Resolves the result's classes with the function's class loader (the application's). */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }

    /** Collects a {@link SparkDistributor}'s settings; {@link #build()} validates them together. */
    public static final class Builder {
        private int numProcesses = 1;
        private SparkContext sparkContext;
        private String master;
        private Duration timeout = Duration.ofMinutes(30);
        private int maxAttempts = 3;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The number of ranks (barrier tasks), one task slot each.
         *
         * @param n the number of ranks
         * @return this builder
         * @throws IllegalArgumentException if n &lt; 1
         */
        public Builder numProcesses(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("SparkDistributor.numProcesses: must be >= 1, got " + n);
            }
            this.numProcesses = n;
            return this;
        }

        /**
         * Runs the ranks on this context (never stopped by the distributor).
         *
         * @param sc the context
         * @return this builder
         */
        public Builder sparkContext(SparkContext sc) {
            this.sparkContext = Objects.requireNonNull(sc, "sparkContext");
            return this;
        }

        /**
         * Runs the ranks on this context (never stopped by the distributor).
         *
         * @param jsc the context
         * @return this builder
         */
        public Builder sparkContext(JavaSparkContext jsc) {
            return sparkContext(Objects.requireNonNull(jsc, "sparkContext").sc());
        }

        /**
         * Creates a context with this master URL for each {@link SparkDistributor#run} (e.g.
         * {@code spark://host:7077} or {@code local[4,3]}) and stops it afterwards.
         *
         * @param masterUrl the master URL
         * @return this builder
         * @throws IllegalArgumentException if the URL is blank
         */
        public Builder master(String masterUrl) {
            Objects.requireNonNull(masterUrl, "master");
            if (masterUrl.isBlank()) {
                throw new IllegalArgumentException("SparkDistributor.master: must be a Spark master URL, got \""
                        + masterUrl + "\"");
            }
            this.master = masterUrl;
            return this;
        }

        /**
         * How long a rank waits for the others in the rendezvous and in each collective operation,
         * and how long {@link SparkDistributor#run} waits for a cluster's task slots.
         *
         * @param timeout the timeout
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("SparkDistributor.timeout: must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How many times a context created by the distributor runs the job (the first attempt
         * included) before {@link SparkDistributor#run} fails.
         *
         * @param n the attempts
         * @return this builder
         * @throws IllegalArgumentException if n &lt; 1
         */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("SparkDistributor.maxAttempts: must be >= 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        /**
         * A Spark setting of the contexts the distributor creates (from {@link #master} or the
         * embedded one), as spark-submit's {@code --conf key=value}: e.g. {@code spark.jars},
         * {@code spark.executor.memory}. Applied last, so it overrides the distributor's own
         * defaults. A context given with {@link #sparkContext} or found active keeps its settings.
         *
         * @throws IllegalArgumentException if the key does not start with "spark." or the value is null
         */
        public Builder config(String key, String value) {
            if (key == null || !key.startsWith("spark.") || key.length() == "spark.".length()) {
                throw new IllegalArgumentException("SparkDistributor.config: key must be a Spark setting"
                        + " (\"spark.<name>\"), got " + (key == null ? "null" : "\"" + key + "\""));
            }
            if (value == null) {
                throw new IllegalArgumentException("SparkDistributor.config: value of " + key + " must not be null");
            }
            settings.put(key, value);
            return this;
        }

        /**
         * The distributor.
         *
         * @return the distributor
         * @throws IllegalStateException if both a context and a master URL were given, or a context
         *         and settings for the contexts created here (it would not take them)
         */
        public SparkDistributor build() {
            if (sparkContext != null && master != null) {
                throw new IllegalStateException("SparkDistributor: give either sparkContext or master, not both"
                        + " (master " + master + ")");
            }
            if (sparkContext != null && !settings.isEmpty()) {
                throw new IllegalStateException("SparkDistributor: config " + settings.keySet() + " applies to the"
                        + " contexts the distributor creates, not to the given sparkContext; set them on its SparkConf");
            }
            return new SparkDistributor(this);
        }
    }
}
