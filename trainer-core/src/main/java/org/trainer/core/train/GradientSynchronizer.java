package org.trainer.core.train;

/**
 * A model whose backward pass hands its gradients to other processes (a data-parallel wrapper that
 * averages them across ranks). With gradient accumulation the {@link Trainer} runs the first k-1
 * micro-batches of each step inside {@link #noSync()}, so that only the last one communicates.
 */
public interface GradientSynchronizer {

    /**
     * Until the returned scope is closed, backward passes accumulate gradients locally without
     * synchronizing them; the first backward pass after it synchronizes the whole accumulated sum.
     *
     * @return the scope; close it to synchronize again
     */
    Scope noSync();

    /** Ends a {@link #noSync()} period. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
