package org.trainer.hpo;

import java.util.concurrent.CompletableFuture;

/**
 * Where trials run. A study keeps {@link #parallelism()} trials in flight and hands each to
 * {@link #submit}; the executor evaluates it and completes the future with the objective value,
 * or exceptionally with the reason it failed ({@link TrialPruned} for a pruned trial).
 *
 * <p>An executor that runs the objective in this JVM ({@link ThreadPoolTrialExecutor}) gives it
 * the live {@link Trial}: the objective can suggest parameters as it goes (define-by-run),
 * report intermediate values through {@link Trial#report} and stop when
 * {@link Trial#shouldPrune()} says so. One that runs each trial elsewhere
 * ({@link JobTrialExecutor}: a training job in a child JVM) hands the job only the parameters the
 * trial holds when it starts, and nothing comes back before the job ends: it needs a declared
 * space ({@link #supportsDefineByRun()} false) and cannot prune ({@link #supportsPruning()}
 * false); a study refuses such an executor with a pruner or without declared ranges. One that
 * runs trials elsewhere but carries their reports back while they run (trainer-spark's
 * {@code SparkTrialExecutor}, over HTTP to the coordinator) needs declared ranges and can prune.
 */
public interface TrialExecutor extends AutoCloseable {

    /**
     * How many trials may run at once (&gt;= 1).
     *
     * @return the parallelism
     */
    int parallelism();

    /**
     * Starts evaluating {@code trial}; must not block until it ends.
     *
     * @param trial the trial to run
     * @return its objective value, when it ends
     */
    CompletableFuture<Double> submit(Trial trial);

    /**
     * Whether the trials' intermediate values reach the study while they run, so that a pruner
     * can stop them. True for an executor that runs the objective in this JVM; override with
     * false when trials run where they cannot call {@link Trial#report}.
     *
     * @return whether pruning works
     */
    default boolean supportsPruning() {
        return true;
    }

    /**
     * Whether a trial may suggest parameters while it runs (a study without declared ranges).
     * True for an executor that runs the objective in this JVM; override with false when a
     * trial's parameters must all be known when it is submitted.
     *
     * @return whether define-by-run works
     */
    default boolean supportsDefineByRun() {
        return true;
    }

    /** Releases threads or processes; trials still running are interrupted. */
    @Override
    void close();
}
