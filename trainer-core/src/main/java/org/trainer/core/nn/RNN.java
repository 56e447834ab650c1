package org.trainer.core.nn;

import org.trainer.core.Tensor;
import org.trainer.core.ops.RnnRecurrence;

/**
 * The Elman recurrent layer, as PyTorch's {@code nn.RNN}: per step
 * <pre>
 *   h' = act(W_ih x + b_ih + W_hh h + b_hh)
 * </pre>
 * with act tanh (PyTorch's default) or relu; weight_ih is [H, in] and weight_hh [H, H]. Shapes,
 * names, lengths and states are described in {@link RecurrentLayer}. Without lengths the
 * recurrence runs as one fused op where the backend has one ({@link RnnRecurrence}; the CPU's
 * does), else one {@code cell} of Tensor operations per step.
 */
public final class RNN extends RecurrentLayer {
    /** The activation of the Elman recurrence. */
    public enum Nonlinearity {
        /** h' = tanh(...), PyTorch's default. */
        TANH,
        /** h' = max(0, ...). */
        RELU
    }

    private final Nonlinearity nonlinearity;

    /**
     * One tanh layer, PyTorch's defaults, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     */
    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, Nonlinearity.TANH, RecurrentOptions.defaults());
    }

    /**
     * An Elman RNN with this activation and these options, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param nonlinearity TANH or RELU
     * @param options layers, bias, batch-first, dropout and directions
     */
    public RNN(int inputSize, int hiddenSize, Nonlinearity nonlinearity, RecurrentOptions options) {
        this(inputSize, hiddenSize, nonlinearity, options, Seeds.next());
    }

    /**
     * An Elman RNN with this activation and these options whose initial weights are drawn from this seed; throws
     * IllegalArgumentException if the activation is null.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param nonlinearity TANH or RELU
     * @param options layers, bias, batch-first, dropout and directions
     * @param seed the seed of the initial weights
     */
    public RNN(int inputSize, int hiddenSize, Nonlinearity nonlinearity, RecurrentOptions options, long seed) {
        super("RNN", inputSize, hiddenSize, 1, options, seed);
        if (nonlinearity == null) {
            throw new IllegalArgumentException("RNN: nonlinearity must be TANH or RELU, got null");
        }
        this.nonlinearity = nonlinearity;
    }

    /**
     * The activation of the recurrence.
     *
     * @return TANH or RELU
     */
    public Nonlinearity nonlinearity() {
        return nonlinearity;
    }

    @Override
    Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh) {
        Tensor z = xProj.add(h.linear(weightHh, biasHh));
        return new Tensor[] {nonlinearity == Nonlinearity.TANH ? z.tanh() : z.relu(), null};
    }

    /** The fused recurrence where the backend has one ({@link RnnRecurrence}), else null. */
    @Override
    Tensor fusedRecurrence(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh, boolean reverse) {
        return RnnRecurrence.apply(xProj, weightHh, biasHh, h, reverse, nonlinearity == Nonlinearity.RELU);
    }

    @Override
    boolean hasCellState() {
        return false;
    }

    @Override
    protected String describe() {
        return super.describe() + (nonlinearity == Nonlinearity.RELU ? ", nonlinearity=relu" : "");
    }
}
