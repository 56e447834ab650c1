package org.trainer.core.ops;

import java.util.Optional;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;

/**
 * The recurrence of one Elman RNN layer and direction over all T steps as one op, on backends with
 * the fused capability ({@link org.trainer.core.backend.Fused.Rnn#rnnForward}); {@code RNN}
 * composes the steps from smaller ops elsewhere. Per step t, fed the h' of the step before it in
 * processing order:
 * <pre>
 *   h_t = act(xProj[t] + h' W_hh^T + b_hh),  act = tanh or relu
 * </pre>
 * The result is the outputs [T, N, H] by time (the final h is row T-1, or row 0 when reverse).
 * Backward: one fused pass dz_t = (d h_t) act'(h_t) and one product dz W_hh per step, then
 * dW_hh = sum_t dz_t^T h'_t as one product and db_hh = d xProj[t] summed = sum_t dz_t.
 */
public final class RnnRecurrence extends FusedRecurrence {
    private final boolean relu;
    private Tensor out;

    private RnnRecurrence(Tensor[] inputs, Tensor bias, boolean reverse, boolean relu) {
        super("rnnRecurrence", inputs, bias, reverse);
        this.relu = relu;
    }

    /**
     * The outputs [T, N, H], or null, having computed nothing, when the backend has no fused RNN for
     * this dtype: the caller then composes the steps.
     *
     * @param xProj  [T, N, H], x W_ih^T + b_ih for every step
     * @param weight W_hh [H, H]
     * @param bias   b_hh [H], or null
     * @param h0     [N, H]
     * @param reverse whether the steps run from T-1 down to 0
     * @param relu   whether the activation is relu (else tanh)
     * @return the outputs, or null
     * @throws IllegalArgumentException naming the argument whose shape, dtype or device does not fit
     */
    public static Tensor apply(Tensor xProj, Tensor weight, Tensor bias, Tensor h0, boolean reverse, boolean relu) {
        Tensor[] inputs = operands("rnnRecurrence", 1, xProj, weight, bias, h0);
        Optional<Fused.Rnn> fused = xProj.backend().capability(Fused.Rnn.class);
        if (fused.isEmpty()) {
            return null;
        }
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        RnnRecurrence f = new RnnRecurrence(inputs, bias, reverse, relu);
        f.out = f.buffer(t, n, h);
        if (!fused.get().rnnForward(t, n, h, reverse, relu, xProj.storage(), weight.storage(), storage(bias),
                h0.storage(), f.out.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = like(g, out);
        Tensor gw = weightGrad(g);
        Tensor gb = biasGrad(g);
        Tensor gh0 = stateGrad(g, 0);
        Tensor dh = like(g, h0);
        Optional<Fused.Rnn> fused = g.backend().capability(Fused.Rnn.class);
        if (fused.isEmpty() || !fused.get().rnnBackward(out.size(0), out.size(1), out.size(2), reverse, relu,
                weight.storage(), h0.storage(), out.storage(), g.storage(), gx.storage(), storage(gw), storage(gb),
                storage(gh0), dh.storage())) {
            throw noFusedBackward(g);
        }
        return gradients(gx, gw, gb, gh0);
    }
}
