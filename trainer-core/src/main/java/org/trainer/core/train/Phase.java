package org.trainer.core.train;

/**
 * The parts a training step is split into for a {@link StepTimer} (the profiler). They are contiguous: each
 * starts where the one before ended, so their durations add up to the step's.
 */
public enum Phase {
    /** Waiting for the loader's next batch (hasNext and next). */
    DATA("data wait"),
    /** The model's forward pass and the loss. */
    FORWARD("forward"),
    /** Zeroing gradients, the backward pass and reading the loss value. */
    BACKWARD("backward"),
    /** The optimizer's update. */
    OPTIMIZER("optimizer"),
    /** Waiting for the device to finish the step's queued work (nothing on the CPU). */
    SYNC("device sync"),
    /** Everything else in the step: metrics, callbacks, the schedule, checkpoints. */
    OTHER("other");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    /**
     * A short name for tables and charts, e.g. "data wait".
     *
     * @return the label
     */
    public String label() {
        return label;
    }
}
