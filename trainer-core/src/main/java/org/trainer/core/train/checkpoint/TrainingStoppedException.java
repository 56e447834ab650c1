package org.trainer.core.train.checkpoint;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Thrown by {@link org.trainer.core.train.Trainer#fit} when a {@link StopRequest} was honoured: the
 * current step finished, a checkpoint of that moment was written (unless the run only reads
 * checkpoints, {@link Checkpointing#writes()}) and the fit returned nothing. Running the same fit
 * again over the same directory goes on from {@link #checkpoint()} as if it had never stopped.
 */
public final class TrainingStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final transient Path checkpoint;
    private final long iteration;
    private final long writtenAtNanos;

    public TrainingStoppedException(String reason, Path checkpoint, long iteration, long writtenAtNanos) {
        super("training stopped (" + reason + ") after iteration " + iteration
                + (checkpoint == null ? " without writing a checkpoint" : "; checkpoint " + checkpoint));
        this.reason = reason;
        this.checkpoint = checkpoint;
        this.iteration = iteration;
        this.writtenAtNanos = writtenAtNanos;
    }

    /** The reason the {@link StopRequest} gave. */
    public String reason() {
        return reason;
    }

    /** The checkpoint that holds the stopped run, or empty when this run does not write checkpoints. */
    public Optional<Path> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    /** Optimizer steps taken when the run stopped (the checkpoint's iteration). */
    public long iteration() {
        return iteration;
    }

    /** When the checkpoint was on disk, as {@link System#nanoTime()}. */
    public long writtenAtNanos() {
        return writtenAtNanos;
    }
}
