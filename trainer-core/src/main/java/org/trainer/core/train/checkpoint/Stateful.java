package org.trainer.core.train.checkpoint;

import java.util.Map;

import org.trainer.core.Tensor;

/**
 * Something whose state a checkpoint saves and restores, as PyTorch's
 * {@code torch.distributed.checkpoint.stateful.Stateful}: a callback that learns as it goes (the best
 * value of a figure, a patience counter), or a metric part-way through an epoch.
 *
 * <p>The contract: {@code x.loadStateDict(x.stateDict())} on a fresh object built with the same
 * settings leaves it behaving exactly as {@code x} would from then on (bitwise where numbers are
 * involved). Whole numbers travel as float64 scalars (exact up to 2^53), flags as 0/1.
 * {@link #stateDict()} returns copies, unaffected by later updates; {@link #loadStateDict} refuses a
 * state that does not fit, naming the key, and changes nothing then.
 */
public interface Stateful {

    /**
     * The state by name, as copies.
     *
     * @return the state
     */
    Map<String, Tensor> stateDict();

    /**
     * Restores a state from {@link #stateDict()}.
     *
     * @param state a state from {@link #stateDict()}
     */
    void loadStateDict(Map<String, Tensor> state);
}
