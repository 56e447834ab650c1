package org.trainer.core.ops;

import java.util.Arrays;
import java.util.Optional;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
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
public final class LstmRecurrence extends Function {
    private final Tensor xProj;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor h0;
    private final Tensor c0;
    private final boolean reverse;
    private final int steps;
    private final int n;
    private final int hidden;
    private Tensor out;
    private Tensor cs;
    private Tensor gates;

    private LstmRecurrence(Tensor[] inputs, Tensor xProj, Tensor weight, Tensor bias, Tensor h0, Tensor c0,
                           boolean reverse) {
        super(inputs);
        this.xProj = xProj;
        this.weight = weight;
        this.bias = bias;
        this.h0 = h0;
        this.c0 = c0;
        this.reverse = reverse;
        this.steps = xProj.size(0);
        this.n = xProj.size(1);
        this.hidden = h0.size(1);
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
        Ops.floating("lstmRecurrence", xProj);
        if (h0.rank() != 2 || xProj.rank() != 3 || xProj.size(0) < 1) {
            throw new IllegalArgumentException("lstmRecurrence: expected xProj [T >= 1, N, 4H] and h0 [N, H], got xProj "
                    + Shapes.str(xProj.shape()) + " and h0 " + Shapes.str(h0.shape()));
        }
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        check("xProj", xProj, t, n, 4 * h);
        check("weight", weight, 4 * h, h);
        if (bias != null) {
            check("bias", bias, 4 * h);
        }
        check("h0", h0, n, h);
        check("c0", c0, n, h);
        for (Tensor other : bias == null ? new Tensor[] {weight, h0, c0} : new Tensor[] {weight, bias, h0, c0}) {
            Ops.compatible("lstmRecurrence", xProj, other);
        }
        Tensor[] inputs = bias == null ? new Tensor[] {xProj, weight, h0, c0} : new Tensor[] {xProj, weight, bias, h0, c0};
        LstmRecurrence f = new LstmRecurrence(inputs, xProj, weight, bias, h0, c0, reverse);
        Backend be = xProj.backend();
        f.out = Ops.empty(be, xProj.dtype(), new int[] {t + 1, n, h});
        f.cs = Ops.empty(be, xProj.dtype(), new int[] {t, n, h});
        f.gates = Ops.empty(be, xProj.dtype(), new int[] {t, n, 4 * h});
        Optional<Fused.Lstm> fused = be.capability(Fused.Lstm.class);
        if (fused.isEmpty() || !fused.get().lstmForward(t, n, h, reverse, xProj.storage(), weight.storage(),
                bias == null ? null : bias.storage(), h0.storage(), c0.storage(), f.out.storage(), f.cs.storage(),
                f.gates.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    private static void check(String name, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("lstmRecurrence: " + name + " must be " + Shapes.str(shape) + ", got "
                    + Shapes.str(t.shape()));
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Backend be = g.backend();
        int b = bias == null ? 0 : 1;
        Tensor gx = Ops.empty(be, g.dtype(), xProj.shape());
        Tensor gw = needsGrad(1) ? Ops.empty(be, g.dtype(), weight.shape()) : null;
        Tensor gb = b == 1 && needsGrad(2) ? Ops.empty(be, g.dtype(), bias.shape()) : null;
        Tensor gh0 = needsGrad(2 + b) ? Ops.empty(be, g.dtype(), h0.shape()) : null;
        Tensor gc0 = needsGrad(3 + b) ? Ops.empty(be, g.dtype(), c0.shape()) : null;
        Tensor dh = Ops.empty(be, g.dtype(), h0.shape());
        Tensor dc = Ops.empty(be, g.dtype(), h0.shape());
        Optional<Fused.Lstm> fused = be.capability(Fused.Lstm.class);
        if (fused.isEmpty() || !fused.get().lstmBackward(steps, n, hidden, reverse, weight.storage(), h0.storage(),
                c0.storage(), out.storage(), cs.storage(), gates.storage(), g.storage(), gx.storage(), storage(gw),
                storage(gb), storage(gh0), storage(gc0), dh.storage(), dc.storage())) {
            throw new IllegalStateException("lstmRecurrence: the " + g.device() + " backend ran the fused forward but "
                    + "has no fused backward");
        }
        Tensor gxOut = needsGrad(0) ? gx : null;
        return b == 1 ? new Tensor[] {gxOut, gw, gb, gh0, gc0} : new Tensor[] {gxOut, gw, gh0, gc0};
    }

    private static org.trainer.core.backend.Storage storage(Tensor t) {
        return t == null ? null : t.storage();
    }

    @Override
    public String name() {
        return "LstmRecurrence";
    }
}
