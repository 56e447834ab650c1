package org.trainer.hpo;

import java.util.concurrent.CompletableFuture;

/**
 * Where trials run. A study keeps {@link #parallelism()} trials in flight and hands each to
 * {@link #submit}; the executor evaluates it (on a thread of this JVM, or as a training job in a
 * child JVM that relays its metrics back through {@link Trial#report} and stops when
 * {@link Trial#shouldPrune()} says so) and completes the future with the objective value, or
 * exceptionally with the reason it failed ({@link TrialPruned} for a pruned trial).
 */
public interface TrialExecutor extends AutoCloseable {

    /** How many trials may run at once (&gt;= 1). */
    int parallelism();

    /** Starts evaluating {@code trial}; must not block until it ends. */
    CompletableFuture<Double> submit(Trial trial);

    /** Releases threads or processes; trials still running are interrupted. */
    @Override
    void close();
}
