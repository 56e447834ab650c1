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
public final class RnnRecurrence extends Function {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor h0;
    private final boolean reverse;
    private final boolean relu;
    private Tensor out;

    private RnnRecurrence(Tensor[] inputs, Tensor weight, Tensor bias, Tensor h0, boolean reverse, boolean relu) {
        super(inputs);
        this.weight = weight;
        this.bias = bias;
        this.h0 = h0;
        this.reverse = reverse;
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
        Ops.floating("rnnRecurrence", xProj);
        if (h0.rank() != 2 || xProj.rank() != 3 || xProj.size(0) < 1) {
            throw new IllegalArgumentException("rnnRecurrence: expected xProj [T >= 1, N, H] and h0 [N, H], got xProj "
                    + Shapes.str(xProj.shape()) + " and h0 " + Shapes.str(h0.shape()));
        }
        int t = xProj.size(0);
        int n = xProj.size(1);
        int h = h0.size(1);
        check("xProj", xProj, t, n, h);
        check("weight", weight, h, h);
        if (bias != null) {
            check("bias", bias, h);
        }
        Tensor[] inputs = bias == null ? new Tensor[] {xProj, weight, h0} : new Tensor[] {xProj, weight, bias, h0};
        for (int i = 1; i < inputs.length; i++) {
            Ops.compatible("rnnRecurrence", xProj, inputs[i]);
        }
        Backend be = xProj.backend();
        Optional<Fused.Rnn> fused = be.capability(Fused.Rnn.class);
        if (fused.isEmpty()) {
            return null;
        }
        RnnRecurrence f = new RnnRecurrence(inputs, weight, bias, h0, reverse, relu);
        f.out = Ops.empty(be, xProj.dtype(), new int[] {t, n, h});
        if (!fused.get().rnnForward(t, n, h, reverse, relu, xProj.storage(), weight.storage(), storage(bias),
                h0.storage(), f.out.storage())) {
            return null;
        }
        return f.record(f.out);
    }

    private static void check(String name, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("rnnRecurrence: " + name + " must be " + Shapes.str(shape) + ", got "
                    + Shapes.str(t.shape()));
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Backend be = g.backend();
        int b = bias == null ? 0 : 1;
        Tensor gx = Ops.empty(be, g.dtype(), out.shape());
        Tensor gw = needsGrad(1) ? Ops.empty(be, g.dtype(), weight.shape()) : null;
        Tensor gb = b == 1 && needsGrad(2) ? Ops.empty(be, g.dtype(), bias.shape()) : null;
        Tensor gh0 = needsGrad(2 + b) ? Ops.empty(be, g.dtype(), h0.shape()) : null;
        Tensor dh = Ops.empty(be, g.dtype(), h0.shape());
        Optional<Fused.Rnn> fused = be.capability(Fused.Rnn.class);
        if (fused.isEmpty() || !fused.get().rnnBackward(out.size(0), out.size(1), out.size(2), reverse, relu,
                weight.storage(), h0.storage(), out.storage(), g.storage(), gx.storage(), storage(gw), storage(gb),
                storage(gh0), dh.storage())) {
            throw new IllegalStateException("rnnRecurrence: the " + g.device() + " backend ran the fused forward but "
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
        return "RnnRecurrence";
    }
}
