package org.trainer.core.ops;

import java.util.Arrays;
import java.util.Optional;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

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
public final class GruRecurrence extends Function {
    private final Tensor xProj;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor h0;
    private final boolean reverse;
    private Tensor out;
    private Tensor gates;
    private Tensor hn;

    private GruRecurrence(Tensor[] inputs, Tensor xProj, Tensor weight, Tensor bias, Tensor h0, boolean reverse) {
        super(inputs);
        this.xProj = xProj;
        this.weight = weight;
        this.bias = bias;
        this.h0 = h0;
        this.reverse = reverse;
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
        Ops.floating("gruRecurrence", xProj);
        if (h0.rank() != 2 || xProj.rank() != 3 || xProj.size(0) < 1) {
            throw new IllegalArgumentException("gruRecurrence: expected xProj [T >= 1, N, 3H] and h0 [N, H], got xProj "
                    + Shapes.str(xProj.shape()) + " and h0 " + Shapes.str(h0.shape()));
        }
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        check("xProj", xProj, t, n, 3 * h);
        check("weight", weight, 3 * h, h);
        if (bias != null) {
            check("bias", bias, 3 * h);
        }
        Tensor[] inputs = bias == null ? new Tensor[] {xProj, weight, h0} : new Tensor[] {xProj, weight, bias, h0};
        for (int i = 1; i < inputs.length; i++) {
            Ops.compatible("gruRecurrence", xProj, inputs[i]);
        }
        Backend be = xProj.backend();
        Optional<Fused.Gru> fused = be.capability(Fused.Gru.class);
        if (fused.isEmpty()) {
            return null;
        }
        GruRecurrence f = new GruRecurrence(inputs, xProj, weight, bias, h0, reverse);
        f.out = Ops.empty(be, xProj.dtype(), new int[] {t, n, h});
        f.gates = Ops.empty(be, xProj.dtype(), new int[] {t, n, 3 * h});
        f.hn = Ops.empty(be, xProj.dtype(), new int[] {t, n, h});
        if (!fused.get().gruForward(t, n, h, reverse, xProj.storage(), weight.storage(), storage(bias), h0.storage(),
                f.out.storage(), f.gates.storage(), f.hn.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    private static void check(String name, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("gruRecurrence: " + name + " must be " + Shapes.str(shape) + ", got "
                    + Shapes.str(t.shape()));
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Backend be = g.backend();
        int b = bias == null ? 0 : 1;
        Tensor gx = Ops.empty(be, g.dtype(), xProj.shape());
        Tensor gp = Ops.empty(be, g.dtype(), xProj.shape());
        Tensor gw = needsGrad(1) ? Ops.empty(be, g.dtype(), weight.shape()) : null;
        Tensor gb = b == 1 && needsGrad(2) ? Ops.empty(be, g.dtype(), bias.shape()) : null;
        Tensor gh0 = needsGrad(2 + b) ? Ops.empty(be, g.dtype(), h0.shape()) : null;
        Tensor dh = Ops.empty(be, g.dtype(), h0.shape());
        Optional<Fused.Gru> fused = be.capability(Fused.Gru.class);
        if (fused.isEmpty() || !fused.get().gruBackward(xProj.size(0), xProj.size(1), h0.size(1), reverse,
                weight.storage(), h0.storage(), out.storage(), gates.storage(), hn.storage(), g.storage(),
                gx.storage(), gp.storage(), storage(gw), storage(gb), storage(gh0), dh.storage())) {
            throw new IllegalStateException("gruRecurrence: the " + g.device() + " backend ran the fused forward but "
                    + "has no fused backward");
        }
        Tensor gxOut = needsGrad(0) ? gx : null;
        return b == 1 ? new Tensor[] {gxOut, gw, gb, gh0} : new Tensor[] {gxOut, gw, gh0};
    }

    private static Storage storage(Tensor t) {
        return t == null ? null : t.storage();
    }

    @Override
    public String name() {
        return "GruRecurrence";
    }
}
