package org.trainer.core.ops;

import java.util.Optional;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;

/**
 * The recurrence of one GRU layer and direction over all T steps as one op, on backends with the
 * fused capability ({@link org.trainer.core.backend.Fused.Gru#gruForward}); {@code GRU} composes
 * the steps from smaller ops elsewhere. Per step t, fed the h' of the step before it in processing
 * order, with p = h' W_hh^T + b_hh:
 * <pre>
 *   r = sigmoid(xProj[t]_r + p_r);  z = sigmoid(xProj[t]_z + p_z);  n = tanh(xProj[t]_n + r p_n)
 *   h_t = (1 - z) n + z h'
 * </pre>
 * The result is the outputs [T, N, H] by time (the final h is row T-1, or row 0 when reverse).
 * Backward: one fused pass and one product dp W_hh per step, then dW_hh = sum_t dp_t^T h'_t as
 * one product and db_hh = sum_t dp_t; d xProj[t] is dp_t but in the n block, which is dp_n / r.
 */
public final class GruRecurrence extends FusedRecurrence {
    private Tensor out;
    private Tensor gates;
    private Tensor hn;

    private GruRecurrence(Tensor[] inputs, Tensor bias, boolean reverse) {
        super("gruRecurrence", inputs, bias, reverse);
    }

    /**
     * The outputs [T, N, H], or null, having computed nothing, when the backend has no fused GRU for
     * this dtype: the caller then composes the steps.
     *
     * @param xProj  [T, N, 3H], x W_ih^T + b_ih for every step
     * @param weight W_hh [3H, H]
     * @param bias   b_hh [3H], or null
     * @param h0     [N, H]
     * @param reverse whether the steps run from T-1 down to 0
     * @return the outputs, or null
     * @throws IllegalArgumentException naming the argument whose shape, dtype or device does not fit
     */
    public static Tensor apply(Tensor xProj, Tensor weight, Tensor bias, Tensor h0, boolean reverse) {
        Tensor[] inputs = operands("gruRecurrence", 3, xProj, weight, bias, h0);
        Optional<Fused.Gru> fused = xProj.backend().capability(Fused.Gru.class);
        if (fused.isEmpty()) {
            return null;
        }
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        GruRecurrence f = new GruRecurrence(inputs, bias, reverse);
        f.out = f.buffer(t, n, h);
        f.gates = f.buffer(t, n, 3 * h);
        f.hn = f.buffer(t, n, h);
        if (!fused.get().gruForward(t, n, h, reverse, xProj.storage(), weight.storage(), storage(bias), h0.storage(),
                f.out.storage(), f.gates.storage(), f.hn.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = like(g, xProj);
        Tensor gp = like(g, xProj);
        Tensor gw = weightGrad(g);
        Tensor gb = biasGrad(g);
        Tensor gh0 = stateGrad(g, 0);
        Tensor dh = like(g, h0);
        Optional<Fused.Gru> fused = g.backend().capability(Fused.Gru.class);
        if (fused.isEmpty() || !fused.get().gruBackward(xProj.size(0), xProj.size(1), h0.size(1), reverse,
                weight.storage(), h0.storage(), out.storage(), gates.storage(), hn.storage(), g.storage(),
                gx.storage(), gp.storage(), storage(gw), storage(gb), storage(gh0), dh.storage())) {
            throw noFusedBackward(g);
        }
        return gradients(gx, gw, gb, gh0);
    }
}
