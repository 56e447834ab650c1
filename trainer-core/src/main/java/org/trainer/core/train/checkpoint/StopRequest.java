package org.trainer.core.train.checkpoint;

import java.util.Optional;

/**
 * A request, made from any thread, that a running {@link org.trainer.core.train.Trainer#fit} write a
 * checkpoint after its current optimizer step and stop by throwing {@link TrainingStoppedException}:
 * what a training job does on an interruption notice (SIGTERM) or past its maximum run time. Give it
 * to {@link Checkpointing.Builder#stopRequest}.
 *
 * <p>The first request wins: its reason and the moment it was made ({@link System#nanoTime()}) are
 * kept, and later requests change nothing. Thread-safe.
 */
public final class StopRequest {
    private String reason;
    private long requestedAtNanos;

    /**
     * Asks the fit to checkpoint and stop; returns true when this call made the request, false when
     * one was made before.
     *
     * @param reason why, e.g. "Interrupted" or "MaxRuntimeExceeded"; non-blank
     */
    public synchronized boolean request(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("StopRequest.request: reason must be non-blank, got '" + reason + "'");
        }
        if (this.reason != null) {
            return false;
        }
        this.requestedAtNanos = System.nanoTime();
        this.reason = reason;
        return true;
    }

    public synchronized boolean isRequested() {
        return reason != null;
    }

    /** The first request's reason, or empty when none was made. */
    public synchronized Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** When the first request was made, as {@link System#nanoTime()}; 0 when none was made. */
    public synchronized long requestedAtNanos() {
        return requestedAtNanos;
    }

    @Override
    public synchronized String toString() {
        return reason == null ? "StopRequest(none)" : "StopRequest(" + reason + ")";
    }
}
