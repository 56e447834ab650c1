package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * What a recurrent layer returns: the last layer's hidden state at every step, {@code output}
 * ([N, T, D*H] batch-first, else [T, N, D*H], with the forward direction's H features before the
 * backward direction's; zero at padded steps), and the final state of every layer and direction
 * ({@code h}, and {@code c} for an LSTM, each [numLayers * D, N, H]). An LSTM with projections has
 * P in place of H in the output and h (c stays H wide). With lengths, the final state of the
 * forward direction is the one after each sequence's last real step.
 */
public record RecurrentOutput(Tensor output, Tensor h, Tensor c) {
    /**
     * The final state, ready to pass as the initial state of the next chunk of a sequence.
     *
     * @return h and c as a state
     */
    public RecurrentState state() {
        return new RecurrentState(h, c);
    }
}
