package org.trainer.core.nn;

import org.trainer.core.Tensor;
import org.trainer.core.ops.LstmRecurrence;

/**
 * Long short-term memory, as PyTorch's {@code nn.LSTM}. Per step, with the four gate blocks in
 * PyTorch's order i, f, g, o (each H rows of weight_ih [4H, in] and weight_hh [4H, H]):
 * <pre>
 *   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
 *   f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh   (W_ig x + b_ig + W_hg h + b_hg)
 *   o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 *   c' = f * c + i * g
 *   h' = o * tanh(c')                     (h' = (o * tanh(c')) W_hr^T with projections)
 * </pre>
 * With projections (projSize P &gt; 0, PyTorch's {@code proj_size}) each layer and direction has
 * {@code weight_hr_l{k}} [P, H] besides, and h, the output and the next layer's input are P (D*P)
 * wide while c stays H wide, as in PyTorch's LSTM with projections; such a layer always composes
 * its steps from smaller ops. Shapes, names, lengths and states are described in
 * {@link RecurrentLayer}; the initial and final states hold both h and c.
 */
public final class LSTM extends RecurrentLayer {
    /**
     * One layer, PyTorch's defaults, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, RecurrentOptions.defaults());
    }

    /**
     * An LSTM with these options, seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param options layers, bias, batch-first, dropout and directions
     */
    public LSTM(int inputSize, int hiddenSize, RecurrentOptions options) {
        this(inputSize, hiddenSize, options, Seeds.next());
    }

    /**
     * An LSTM with these options whose initial weights are drawn from this seed.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the hidden state size H
     * @param options layers, bias, batch-first, dropout and directions
     * @param seed the seed of the initial weights
     */
    public LSTM(int inputSize, int hiddenSize, RecurrentOptions options, long seed) {
        this(inputSize, hiddenSize, 0, options, seed);
    }

    /**
     * An LSTM with projections (PyTorch's {@code proj_size}), seeded from {@link Seeds}.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the cell state size H
     * @param projSize the hidden state size P in [1, H), or 0 for no projections
     * @param options layers, bias, batch-first, dropout and directions
     */
    public LSTM(int inputSize, int hiddenSize, int projSize, RecurrentOptions options) {
        this(inputSize, hiddenSize, projSize, options, Seeds.next());
    }

    /**
     * An LSTM with projections (PyTorch's {@code proj_size}) whose initial weights are drawn from
     * this seed; weight_hr starts U(-1/sqrt(H), 1/sqrt(H)) as the other weights do.
     *
     * @param inputSize the input features per step
     * @param hiddenSize the cell state size H
     * @param projSize the hidden state size P in [1, H), or 0 for no projections
     * @param options layers, bias, batch-first, dropout and directions
     * @param seed the seed of the initial weights
     * @throws IllegalArgumentException if projSize is negative or not below hiddenSize
     */
    public LSTM(int inputSize, int hiddenSize, int projSize, RecurrentOptions options, long seed) {
        super("LSTM", inputSize, hiddenSize, projSize, 4, options, seed);
    }

    @Override
    Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh) {
        int hs = hiddenSize();
        Tensor z = xProj.add(h.linear(weightHh, biasHh));
        Tensor i = z.narrow(1, 0, hs).sigmoid();
        Tensor f = z.narrow(1, hs, hs).sigmoid();
        Tensor g = z.narrow(1, 2 * hs, hs).tanh();
        Tensor o = z.narrow(1, 3 * hs, hs).sigmoid();
        Tensor next = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(next.tanh()), next};
    }

    /** The fused recurrence where the backend has one ({@link LstmRecurrence}), else null. */
    @Override
    Tensor fusedRecurrence(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh, boolean reverse) {
        return LstmRecurrence.apply(xProj, weightHh, biasHh, h, c, reverse);
    }

    @Override
    boolean hasCellState() {
        return true;
    }
}
