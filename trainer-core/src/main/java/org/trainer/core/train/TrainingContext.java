package org.trainer.core.train;

import org.trainer.core.nn.Module;

/** What callbacks see of a running fit: the model, the optimizer, the position and the history. */
public final class TrainingContext {
    private final Module model;
    private final Optimizer optimizer;
    private final History history;
    private final int epochs;
    private final int batchesPerEpoch;
    private int epoch;
    private long iteration;
    private long samplesSeen;
    private volatile boolean stopRequested;

    TrainingContext(Module model, Optimizer optimizer, History history, int epochs, int batchesPerEpoch) {
        this.model = model;
        this.optimizer = optimizer;
        this.history = history;
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
    }

    /**
     * The model being trained.
     *
     * @return the model
     */
    public Module model() {
        return model;
    }

    /**
     * The optimizer of the run.
     *
     * @return the optimizer
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The figures of the epochs finished so far.
     *
     * @return the history
     */
    public History history() {
        return history;
    }

    /**
     * Number of epochs asked for.
     *
     * @return the number of epochs of the run
     */
    public int epochs() {
        return epochs;
    }

    /**
     * Iterations per epoch: ceil(N / batch), or floor with drop-last; -1 for a stream of unknown length.
     *
     * @return the iterations per epoch, or -1
     */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /**
     * The current epoch, 0-based.
     *
     * @return the epoch
     */
    public int epoch() {
        return epoch;
    }

    /**
     * Optimizer steps taken so far over the whole fit.
     *
     * @return the optimizer steps taken
     */
    public long iteration() {
        return iteration;
    }

    /**
     * The number of training samples processed since the run began (counted across resumes).
     *
     * @return the samples processed
     */
    public long samplesSeen() {
        return samplesSeen;
    }

    /** Asks the trainer to stop after the current batch. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Whether a callback asked the trainer to stop.
     *
     * @return whether a stop was requested
     */
    public boolean stopRequested() {
        return stopRequested;
    }

    void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Puts the position back to a checkpoint's. */
    void restore(int epoch, long iteration, long samplesSeen) {
        this.epoch = epoch;
        this.iteration = iteration;
        this.samplesSeen = samplesSeen;
    }

    void advance(int batchSize) {
        iteration++;
        samplesSeen += batchSize;
    }
}
