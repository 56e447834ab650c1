package org.trainer.hpo;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hyperparameter tuning job in SageMaker's terms: an objective metric and its type, the
 * hyperparameter ranges, a strategy, {@code maxJobs} trials of which {@code maxParallelJobs} run
 * at once, early stopping OFF or AUTO, and an optional warm start from earlier studies.
 *
 * <pre>{@code
 * TuningJob job = TuningJob.builder()
 *         .objective("val_accuracy", Direction.MAXIMIZE)
 *         .ranges(SearchSpace.builder().add("lr", FloatRange.log(1e-4, 1)).build())
 *         .strategy(Strategy.RANDOM).maxJobs(20).maxParallelJobs(2)
 *         .earlyStopping(EarlyStoppingType.AUTO).seed(7).build();
 * TuningResult result = job.run(trial -> train(trial));   // returns the final metrics
 * }</pre>
 *
 * <p>GRID reports its number of combinations up front ({@link #gridSize()}) and runs each once;
 * a grid larger than {@code maxJobs} is an error. HYPERBAND runs random draws under
 * {@link HyperbandPruner} over {@code resource(min, max)} with reduction factor {@code eta}
 * (default 3); it needs the training function to report its metric per epoch
 * ({@link PruningCallback}). With a journal directory the study is written to
 * {@code <dir>/<name>.jsonl}, and running the same job again resumes it. With a shared journal
 * directory ({@link Builder#sharedJournal}) the same job may run in several processes at once:
 * they share its trials, and {@code maxJobs} counts them all.
 */
public final class TuningJob {
    private static final Logger LOG = LoggerFactory.getLogger(TuningJob.class);

    private final String name;
    private final String metric;
    private final Direction direction;
    private final SearchSpace ranges;
    private final Strategy strategy;
    private final int maxJobs;
    private final int maxParallelJobs;
    private final EarlyStoppingType earlyStopping;
    private final WarmStart.Priors priors;
    private final long seed;
    private final Path journalDir;
    private final boolean sharedJournal;
    private final Sampler sampler;
    private final Pruner pruner;

    /** Copies every setting, so that changing the builder afterwards changes nothing here. */
    private TuningJob(Builder b) {
        this.name = b.name;
        this.metric = b.metric;
        this.direction = b.direction;
        this.ranges = b.ranges;
        this.strategy = b.strategy;
        this.maxJobs = b.maxJobs;
        this.maxParallelJobs = b.maxParallelJobs;
        this.earlyStopping = b.earlyStopping;
        this.priors = b.priors;
        this.seed = b.seed;
        this.journalDir = b.journalDir;
        this.sharedJournal = b.sharedJournal;
        this.sampler = StrategySamplers.of(strategy, b.gridPoints);
        this.pruner = switch (strategy) {
            case HYPERBAND -> new HyperbandPruner(b.minResource, b.maxResource, b.eta, seed);
            default -> earlyStopping == EarlyStoppingType.AUTO ? new MedianPruner() : Pruner.none();
        };
        if (strategy == Strategy.GRID) {
            long size = gridSize();
            LOG.info("tuning job {}: grid of {} combinations", name, size);
            if (size > maxJobs) {
                throw new IllegalArgumentException("TuningJob: the grid has " + size + " combinations, more than maxJobs = "
                        + maxJobs + "; raise maxJobs or use fewer grid points");
            }
        }
    }

    /**
     * A builder; the objective and the ranges are required. Defaults: RANDOM, 10 jobs, 1 at a time, early stopping OFF,
     * seed 0.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The name of the metric the job optimizes (a key of the training function's result).
     *
     * @return the metric's name
     */
    public String objectiveMetric() {
        return metric;
    }

    /**
     * Whether the objective metric is minimized or maximized.
     *
     * @return the direction
     */
    public Direction objectiveType() {
        return direction;
    }

    /**
     * How trials' hyperparameters are chosen.
     *
     * @return the strategy
     */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * Whether trials may stop early (AUTO: the median stopping rule).
     *
     * @return OFF or AUTO
     */
    public EarlyStoppingType earlyStopping() {
        return earlyStopping;
    }

    /**
     * The number of trials the job runs.
     *
     * @return maxJobs
     */
    public int maxJobs() {
        return maxJobs;
    }

    /**
     * How many trials run at once.
     *
     * @return maxParallelJobs
     */
    public int maxParallelJobs() {
        return maxParallelJobs;
    }

    /**
     * The sampler the strategy maps to.
     *
     * @return the sampler
     */
    public Sampler sampler() {
        return sampler;
    }

    /**
     * The pruner: Hyperband's for HYPERBAND, else the median rule with AUTO early stopping, else none.
     *
     * @return the pruner
     */
    public Pruner pruner() {
        return pruner;
    }

    /**
     * For GRID: the number of combinations the job will run.
     *
     * @return the grid's size
     */
    public long gridSize() {
        if (!(sampler instanceof GridSampler g)) {
            throw new IllegalStateException("TuningJob: gridSize is for strategy GRID, this job is " + strategy);
        }
        return g.size(ranges);
    }

    /**
     * The number of trials the job runs: maxJobs, or the grid's size for GRID.
     *
     * @return the number of trials
     */
    public int trialCount() {
        return strategy == Strategy.GRID ? (int) gridSize() : maxJobs;
    }

    /**
     * Runs {@code training} in-process on {@code maxParallelJobs} threads.
     *
     * @param training trains one trial and returns its metrics
     * @return the result
     */
    public TuningResult run(TrainingFunction training) {
        Objects.requireNonNull(training, "TuningJob.run: training");
        Objective objective = trial -> {
            Map<String, Double> metrics = training.train(trial);
            Double v = metrics == null ? null : metrics.get(metric);
            if (v == null) {
                throw new IllegalStateException("TuningJob: the training job returned no '" + metric + "' among "
                        + (metrics == null ? "null" : metrics.keySet()));
            }
            return v;
        };
        return runWith(threads -> new ThreadPoolTrialExecutor(objective, threads));
    }

    /**
     * Runs the trials on the executor {@code executors} makes for {@code maxParallelJobs} slots
     * (e.g. one that launches each trial as a training job in a child JVM).
     *
     * @param executors makes an executor for a number of slots
     * @return the result
     * @throws IllegalArgumentException when the job prunes trials (strategy HYPERBAND, or early
     *                                  stopping AUTO) and the executor's trials cannot report
     *                                  back ({@link TrialExecutor#supportsPruning()})
     */
    public TuningResult runWith(IntFunction<TrialExecutor> executors) {
        Objects.requireNonNull(executors, "TuningJob.runWith: executors");
        Study.Builder sb = Study.builder().name(name).direction(direction).sampler(sampler).pruner(pruner)
                .seed(seed).space(ranges);
        if (priors != null) {
            sb.priors(priors);
        }
        if (journalDir != null && sharedJournal) {
            sb.sharedJournal(journalDir.resolve(name + ".jsonl"));
        } else if (journalDir != null) {
            sb.journal(journalDir.resolve(name + ".jsonl"));
        }
        try (TrialExecutor ex = Objects.requireNonNull(executors.apply(maxParallelJobs),
                "TuningJob.runWith: the executor made for " + maxParallelJobs + " slots")) {
            if (ex.parallelism() != maxParallelJobs) {
                throw new IllegalArgumentException("TuningJob: the executor runs " + ex.parallelism()
                        + " trials at once, expected maxParallelJobs = " + maxParallelJobs);
            }
            if (!ex.supportsPruning()) {
                if (strategy == Strategy.HYPERBAND) {
                    throw new IllegalArgumentException("TuningJob: strategy HYPERBAND prunes trials, but " + ex
                            + " runs every trial to its end (its trials cannot report back); use another strategy");
                }
                if (earlyStopping != EarlyStoppingType.OFF) {
                    throw new IllegalArgumentException("TuningJob: earlyStopping " + earlyStopping + " prunes trials, but "
                            + ex + " runs every trial to its end (its trials cannot report back); use EarlyStoppingType.OFF");
                }
            }
            try (Study study = sb.build()) {
                study.optimize(ex, trialCount());
                return new TuningResult(study);
            }
        }
    }

    /** Configures a job; objective and ranges are required. */
    public static final class Builder {
        private String name = "tuning-job";
        private String metric;
        private Direction direction;
        private SearchSpace ranges;
        private Strategy strategy = Strategy.RANDOM;
        private int maxJobs = 10;
        private int maxParallelJobs = 1;
        private EarlyStoppingType earlyStopping = EarlyStoppingType.OFF;
        private WarmStart.Priors priors;
        private int gridPoints = 5;
        private int minResource = 1;
        private int maxResource = 27;
        private int eta = 3;
        private long seed;
        private Path journalDir;
        private boolean sharedJournal;

        /**
         * The study's name (and its journal file's).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "TuningJob.Builder.name: name");
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("TuningJob: name must be letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * The metric the training function returns (and reports per epoch), and whether to maximize or minimize it.
         *
         * @param metric the metric's name
         * @param type MINIMIZE or MAXIMIZE
         * @return this builder
         */
        public Builder objective(String metric, Direction type) {
            Objects.requireNonNull(metric, "TuningJob.Builder.objective: metric");
            if (metric.isBlank()) {
                throw new IllegalArgumentException("TuningJob: the objective metric name must not be blank");
            }
            this.metric = metric;
            this.direction = Objects.requireNonNull(type, "TuningJob.Builder.objective: type");
            return this;
        }

        /**
         * The hyperparameter ranges (required, not empty). Returns this.
         *
         * @param ranges the ranges
         * @return this builder
         */
        public Builder ranges(SearchSpace ranges) {
            Objects.requireNonNull(ranges, "TuningJob.Builder.ranges: ranges");
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("TuningJob: ranges must not be empty");
            }
            this.ranges = ranges;
            return this;
        }

        /**
         * How hyperparameters are chosen (default RANDOM). Returns this.
         *
         * @param strategy the strategy
         * @return this builder
         */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "TuningJob.Builder.strategy: strategy");
            return this;
        }

        /**
         * The number of trials (at least 1, default 10). Returns this.
         *
         * @param maxJobs the number of trials
         * @return this builder
         */
        public Builder maxJobs(int maxJobs) {
            if (maxJobs < 1) {
                throw new IllegalArgumentException("TuningJob: maxJobs must be >= 1, got " + maxJobs);
            }
            this.maxJobs = maxJobs;
            return this;
        }

        /**
         * How many trials run at once (at least 1, default 1). Returns this.
         *
         * @param maxParallelJobs trials at once
         * @return this builder
         */
        public Builder maxParallelJobs(int maxParallelJobs) {
            if (maxParallelJobs < 1) {
                throw new IllegalArgumentException("TuningJob: maxParallelJobs must be >= 1, got " + maxParallelJobs);
            }
            this.maxParallelJobs = maxParallelJobs;
            return this;
        }

        /**
         * Whether trials may stop early (default OFF). Returns this.
         *
         * @param earlyStopping OFF or AUTO
         * @return this builder
         */
        public Builder earlyStopping(EarlyStoppingType earlyStopping) {
            this.earlyStopping = Objects.requireNonNull(earlyStopping, "TuningJob.Builder.earlyStopping: earlyStopping");
            return this;
        }

        /**
         * Prior observations from earlier studies ({@link WarmStart#identical} or {@link WarmStart#transfer}).
         *
         * @param priors the prior observations
         * @return this builder
         */
        public Builder warmStart(WarmStart.Priors priors) {
            this.priors = Objects.requireNonNull(priors, "TuningJob.Builder.warmStart: priors");
            return this;
        }

        /**
         * GRID: points per continuous range (default 5).
         *
         * @param gridPoints points per continuous range
         * @return this builder
         */
        public Builder gridPoints(int gridPoints) {
            if (gridPoints < 2) {
                throw new IllegalArgumentException("TuningJob: gridPoints must be >= 2, got " + gridPoints);
            }
            this.gridPoints = gridPoints;
            return this;
        }

        /**
         * HYPERBAND: the resource per trial (epochs), from {@code min} to {@code max} (defaults 1 and 27).
         *
         * @param min the least resource
         * @param max the most resource
         * @return this builder
         */
        public Builder resource(int min, int max) {
            if (min < 1 || max <= min) {
                throw new IllegalArgumentException("TuningJob: resource needs 1 <= min < max, got min " + min + ", max " + max);
            }
            this.minResource = min;
            this.maxResource = max;
            return this;
        }

        /**
         * HYPERBAND: the reduction factor (default 3).
         *
         * @param eta the reduction factor
         * @return this builder
         */
        public Builder eta(int eta) {
            if (eta < 2) {
                throw new IllegalArgumentException("TuningJob: eta must be >= 2, got " + eta);
            }
            this.eta = eta;
            return this;
        }

        /**
         * The study's seed (default 0). Returns this.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Persists the study to {@code <dir>/<name>.jsonl}; running the job again resumes it.
         *
         * @param dir the journal's directory
         * @return this builder
         */
        public Builder journal(Path dir) {
            this.journalDir = Objects.requireNonNull(dir, "TuningJob.Builder.journal: dir");
            this.sharedJournal = false;
            return this;
        }

        /**
         * Shares the study in {@code <dir>/<name>.jsonl} with the other runs of this job (threads
         * or processes, see {@link Study.Builder#sharedJournal}): {@code maxJobs} is their total,
         * and a run ends when every trial of the study has finished.
         *
         * @param dir the shared journal's directory
         * @return this builder
         */
        public Builder sharedJournal(Path dir) {
            this.journalDir = Objects.requireNonNull(dir, "TuningJob.Builder.sharedJournal: dir");
            this.sharedJournal = true;
            return this;
        }

        /**
         * The job; throws IllegalArgumentException when the objective or the ranges are missing, warm-start priors were
         * mapped into other ranges, or a GRID has more combinations than maxJobs.
         *
         * @return the job
         */
        public TuningJob build() {
            if (metric == null) {
                throw new IllegalArgumentException("TuningJob: objective(metric, type) is required");
            }
            if (ranges == null) {
                throw new IllegalArgumentException("TuningJob: ranges are required");
            }
            if (priors != null && !priors.space().equals(ranges)) {
                throw new IllegalArgumentException("TuningJob: warm-start priors were mapped into " + priors.space()
                        + ", not into this job's ranges " + ranges);
            }
            return new TuningJob(this);
        }
    }
}
