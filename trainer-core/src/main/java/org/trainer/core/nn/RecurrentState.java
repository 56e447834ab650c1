package org.trainer.core.nn;

import java.util.Objects;

import org.trainer.core.Tensor;

/**
 * The hidden state of a recurrent layer: h, and the cell state c for an {@link LSTM} (null for
 * {@link RNN} and {@link GRU}). Each is [numLayers * directions, N, H] (h is [.., .., P] for an
 * LSTM with projections), indexed as PyTorch does:
 * entry {@code layer * directions + direction}, with direction 0 forward and 1 backward.
 */
public record RecurrentState(Tensor h, Tensor c) {
    /**
     * Checks that {@code h} is given; {@code c} is null for RNN and GRU.
     *
     * @param h the hidden state, [numLayers * directions, N, H]
     * @param c the cell state of the same shape, or null
     */
    public RecurrentState {
        Objects.requireNonNull(h, "h");
    }

    /**
     * A state without a cell state (RNN, GRU).
     *
     * @param h the hidden state
     * @return the state
     */
    public static RecurrentState of(Tensor h) {
        return new RecurrentState(h, null);
    }

    /**
     * An LSTM's state.
     *
     * @param h the hidden state
     * @param c the cell state
     * @return the state
     */
    public static RecurrentState of(Tensor h, Tensor c) {
        return new RecurrentState(h, Objects.requireNonNull(c, "c"));
    }

    /**
     * The same values cut from the graph that computed them: the state to carry into the next
     * window of truncated backpropagation through time, where the forward pass continues the
     * sequence but the backward pass stops at the window's start (PyTorch's {@code h.detach()}).
     *
     * @return the detached state
     */
    public RecurrentState detach() {
        return new RecurrentState(h.detach(), c == null ? null : c.detach());
    }
}
