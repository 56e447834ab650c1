package org.trainer.hpo;

/** Thrown by an objective to stop a trial that {@link Trial#shouldPrune()} said to stop. */
public final class TrialPruned extends RuntimeException {

    public TrialPruned(String message) {
        super(message, null, false, false);
    }
}
