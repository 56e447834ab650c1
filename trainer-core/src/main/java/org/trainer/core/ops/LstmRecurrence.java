package org.trainer.core.ops;

import java.util.Optional;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;

/**
 * The recurrence of one LSTM layer and direction over all T steps as one op, on backends with the
 * fused capability ({@link org.trainer.core.backend.Fused.Lstm#lstmForward}); {@code LSTM} composes the steps from smaller ops
 * elsewhere. Per step t, fed the state (h', c') of the step before it in processing order:
 * <pre>
 *   z = xProj[t] + h' W_hh^T + b_hh;  i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_g)
 *   c_t = f c' + i g;  h_t = o tanh(c_t)
 * </pre>
 * The result packs the outputs as [T + 1, N, H]: rows 0..T-1 are h_0..h_{T-1} (by time), row T
 * the final cell state, so that one op yields the output sequence and both final states (the final
 * h is row T-1, or row 0 when reverse). Backward: one fused pass and one product dz W_hh per step,
 * then dW_hh = sum_t dz_t^T h'_t as one product and db_hh = sum_t dz_t; d xProj[t] = dz_t.
 */
public final class LstmRecurrence extends FusedRecurrence {
    private final Tensor c0;
    private Tensor out;
    private Tensor cs;
    private Tensor gates;

    private LstmRecurrence(Tensor[] inputs, Tensor bias, boolean reverse) {
        super("lstmRecurrence", inputs, bias, reverse);
        this.c0 = inputs[inputs.length - 1];
    }

    /**
     * The packed outputs [T + 1, N, H] (see the class comment), or null, having computed nothing,
     * when the backend has no fused LSTM for this dtype: the caller then composes the steps.
     *
     * @param xProj  [T, N, 4H], x W_ih^T + b_ih for every step
     * @param weight W_hh [4H, H]
     * @param bias   b_hh [4H], or null
     * @param h0     [N, H]
     * @param c0     [N, H]
     * @param reverse whether the steps run from T-1 down to 0
     * @return the packed outputs, or null
     * @throws IllegalArgumentException naming the argument whose shape, dtype or device does not fit
     */
    public static Tensor apply(Tensor xProj, Tensor weight, Tensor bias, Tensor h0, Tensor c0, boolean reverse) {
        Tensor[] inputs = operands("lstmRecurrence", 4, xProj, weight, bias, h0, c0);
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        LstmRecurrence f = new LstmRecurrence(inputs, bias, reverse);
        f.out = f.buffer(t + 1, n, h);
        f.cs = f.buffer(t, n, h);
        f.gates = f.buffer(t, n, 4 * h);
        Optional<Fused.Lstm> fused = xProj.backend().capability(Fused.Lstm.class);
        if (fused.isEmpty() || !fused.get().lstmForward(t, n, h, reverse, xProj.storage(), weight.storage(),
                storage(bias), h0.storage(), c0.storage(), f.out.storage(), f.cs.storage(), f.gates.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = like(g, xProj);
        Tensor gw = weightGrad(g);
        Tensor gb = biasGrad(g);
        Tensor gh0 = stateGrad(g, 0);
        Tensor gc0 = stateGrad(g, 1);
        Tensor dh = like(g, h0);
        Tensor dc = like(g, h0);
        Optional<Fused.Lstm> fused = g.backend().capability(Fused.Lstm.class);
        if (fused.isEmpty() || !fused.get().lstmBackward(xProj.size(0), xProj.size(1), h0.size(1), reverse,
                weight.storage(), h0.storage(), c0.storage(), out.storage(), cs.storage(), gates.storage(),
                g.storage(), gx.storage(), storage(gw), storage(gb), storage(gh0), storage(gc0), dh.storage(),
                dc.storage())) {
            throw noFusedBackward(g);
        }
        return gradients(gx, gw, gb, gh0, gc0);
    }
}
