package org.trainer.core;

/** Told when a backward pass ends; see {@link Tensor#whenBackwardEnds(BackwardListener)}. */
@FunctionalInterface
public interface BackwardListener {
    /**
     * @param completed true when every gradient of the pass was accumulated, false when the pass
     *                  failed part-way (its exception propagates after the listeners have run)
     */
    void backwardEnded(boolean completed);
}
