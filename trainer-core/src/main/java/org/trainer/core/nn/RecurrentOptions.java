package org.trainer.core.nn;

/**
 * The settings a recurrent layer shares with PyTorch's {@code nn.RNN}, {@code nn.LSTM} and
 * {@code nn.GRU}, with PyTorch's defaults in {@link #defaults()}: one layer, biases, time-first
 * input, no dropout, one direction. Immutable; the {@code withX} methods return a changed copy and
 * validate their argument.
 *
 * @param numLayers     stacked layers (>= 1); layer k > 0 reads layer k-1's output sequence
 * @param bias          whether each layer has the biases b_ih and b_hh
 * @param batchFirst    input and output are [N, T, features] (else [T, N, features]); states are
 *                      [layers * directions, N, H] either way, as in PyTorch
 * @param dropout       probability in [0, 1) of dropping each element of every layer's output
 *                      except the last layer's, in training mode only
 * @param bidirectional whether each layer also runs over the sequence backwards
 */
public record RecurrentOptions(int numLayers, boolean bias, boolean batchFirst, double dropout,
                               boolean bidirectional) {
    /**
     * Validates the options; throws IllegalArgumentException when numLayers &lt; 1 or dropout is outside [0, 1).
     *
     * @param numLayers stacked layers, at least 1
     * @param bias whether each layer has biases
     * @param batchFirst whether input and output are [N, T, features]
     * @param dropout probability in [0, 1) between stacked layers
     * @param bidirectional whether each layer also runs backwards
     */
    public RecurrentOptions {
        if (numLayers < 1) {
            throw new IllegalArgumentException("RecurrentOptions: numLayers must be >= 1, got " + numLayers);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("RecurrentOptions: dropout must be in [0, 1), got " + dropout);
        }
    }

    /**
     * One layer, biases, time-first, no dropout, one direction.
     *
     * @return PyTorch's defaults
     */
    public static RecurrentOptions defaults() {
        return new RecurrentOptions(1, true, false, 0, false);
    }

    /**
     * A copy with {@code n} stacked layers.
     *
     * @param n stacked layers, at least 1
     * @return the changed copy
     */
    public RecurrentOptions withNumLayers(int n) {
        return new RecurrentOptions(n, bias, batchFirst, dropout, bidirectional);
    }

    /**
     * A copy with or without the biases b_ih and b_hh.
     *
     * @param b whether each layer has biases
     * @return the changed copy
     */
    public RecurrentOptions withBias(boolean b) {
        return new RecurrentOptions(numLayers, b, batchFirst, dropout, bidirectional);
    }

    /**
     * A copy with batch-first ([N, T, features]) or time-first ([T, N, features]) input and output.
     *
     * @param b true for [N, T, features], false for [T, N, features]
     * @return the changed copy
     */
    public RecurrentOptions withBatchFirst(boolean b) {
        return new RecurrentOptions(numLayers, bias, b, dropout, bidirectional);
    }

    /**
     * A copy with dropout probability {@code p} between stacked layers.
     *
     * @param p probability in [0, 1)
     * @return the changed copy
     */
    public RecurrentOptions withDropout(double p) {
        return new RecurrentOptions(numLayers, bias, batchFirst, p, bidirectional);
    }

    /**
     * A copy with one direction or two.
     *
     * @param b whether each layer also runs backwards
     * @return the changed copy
     */
    public RecurrentOptions withBidirectional(boolean b) {
        return new RecurrentOptions(numLayers, bias, batchFirst, dropout, b);
    }

    /**
     * 2 with {@link #bidirectional}, else 1.
     *
     * @return 1 or 2
     */
    public int directions() {
        return bidirectional ? 2 : 1;
    }
}
