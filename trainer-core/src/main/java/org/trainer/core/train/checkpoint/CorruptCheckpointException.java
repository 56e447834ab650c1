package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be trusted: a file missing, truncated or altered (its SHA-256 differs from
 * the one recorded), or unreadable. {@link CheckpointStore#latest()} passes over such a checkpoint
 * to the previous good one.
 */
public final class CorruptCheckpointException extends IOException {
    /** The refused checkpoint directory. */
    private final Path checkpoint;

    /**
     * The checkpoint is refused for this reason.
     *
     * @param checkpoint the refused checkpoint directory
     * @param reason why it is refused
     */
    public CorruptCheckpointException(Path checkpoint, String reason) {
        super("checkpoint " + checkpoint + " is refused: " + reason);
        this.checkpoint = checkpoint;
    }

    /**
     * The checkpoint is refused for this reason, found through {@code cause}.
     *
     * @param checkpoint the refused checkpoint directory
     * @param reason why it is refused
     * @param cause the error that revealed it
     */
    public CorruptCheckpointException(Path checkpoint, String reason, Throwable cause) {
        super("checkpoint " + checkpoint + " is refused: " + reason, cause);
        this.checkpoint = checkpoint;
    }

    /**
     * The checkpoint directory that was refused.
     *
     * @return the directory
     */
    public Path checkpoint() {
        return checkpoint;
    }
}
