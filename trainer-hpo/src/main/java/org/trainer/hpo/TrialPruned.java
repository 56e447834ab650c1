package org.trainer.hpo;

/** Thrown by an objective to stop a trial that {@link Trial#shouldPrune()} said to stop. */
public final class TrialPruned extends RuntimeException {

    /**
     * The exception, without a stack trace (it is control flow, not an error).
     *
     * @param message why the trial stopped
     */
    public TrialPruned(String message) {
        super(message, null, false, false);
    }
}
