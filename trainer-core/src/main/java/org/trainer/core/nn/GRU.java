package org.trainer.core.nn;

import org.trainer.core.Tensor;
import org.trainer.core.ops.GruRecurrence;

/**
 * Gated recurrent unit, as PyTorch's {@code nn.GRU}. Per step, with the three gate blocks in
 * PyTorch's order r, z, n (each H rows of weight_ih [3H, in] and weight_hh [3H, H]):
 * <pre>
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * The reset gate scales W_hn h + b_hn, bias included, as PyTorch (and cuDNN) do, not h alone as in
 * the original paper. Shapes, names, lengths and states are described in {@link RecurrentLayer}.
 * Without lengths the recurrence runs as one fused op where the backend has one
 * ({@link GruRecurrence}; the CPU's does), else one {@code cell} of Tensor operations per step.
 */
public final class GRU extends RecurrentLayer {
    /**
     * One layer, PyTorch's defaults, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, RecurrentOptions.defaults());
    }

    /**
     * A GRU with these options, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param options layers, bias, batch-first, dropout and directions
     */
    public GRU(int inputSize, int hiddenSize, RecurrentOptions options) {
        this(inputSize, hiddenSize, options, Seeds.next());
    }

    /**
     * A GRU with these options whose initial weights are drawn from this seed.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param options layers, bias, batch-first, dropout and directions
     * @param seed the seed of the initial weights
     */
    public GRU(int inputSize, int hiddenSize, RecurrentOptions options, long seed) {
        super("GRU", inputSize, hiddenSize, 3, options, seed);
    }

    @Override
    Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh) {
        int hs = hiddenSize();
        Tensor hProj = h.linear(weightHh, biasHh);
        Tensor r = xProj.narrow(1, 0, hs).add(hProj.narrow(1, 0, hs)).sigmoid();
        Tensor z = xProj.narrow(1, hs, hs).add(hProj.narrow(1, hs, hs)).sigmoid();
        Tensor n = xProj.narrow(1, 2 * hs, hs).add(r.mul(hProj.narrow(1, 2 * hs, hs))).tanh();
        // (1 - z) n + z h, written n + z (h - n) to save an op
        return new Tensor[] {n.add(z.mul(h.sub(n))), null};
    }

    /** The fused recurrence where the backend has one ({@link GruRecurrence}), else null. */
    @Override
    Tensor fusedRecurrence(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh, boolean reverse) {
        return GruRecurrence.apply(xProj, weightHh, biasHh, h, reverse);
    }

    @Override
    boolean hasCellState() {
        return false;
    }
}
