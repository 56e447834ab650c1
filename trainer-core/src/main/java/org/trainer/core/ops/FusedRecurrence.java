package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Storage;

/**
 * What the fused recurrence ops ({@link RnnRecurrence}, {@link GruRecurrence},
 * {@link LstmRecurrence}) share. Their inputs, in this order, are xProj [T, N, gH] (x W_ih^T + b_ih
 * for every step, g = 1, 3 or 4 gate blocks), W_hh [gH, H], b_hh [gH] when there is one, and the
 * initial states [N, H] (h0, then c0 for the LSTM). This class checks them, keeps them, allocates
 * the gradients only for the inputs that need one and lists them in input order.
 */
abstract class FusedRecurrence extends Function {
    private static final String[] STATE_NAMES = {"h0", "c0"};

    final String op;
    final Tensor xProj;
    final Tensor weight;
    final Tensor bias;
    final Tensor h0;
    final boolean reverse;
    private final int firstState;

    /**
     * @param op      the op's name in error messages
     * @param inputs  the inputs from {@link #operands}
     * @param bias    b_hh, or null
     * @param reverse whether the steps run from T-1 down to 0
     */
    FusedRecurrence(String op, Tensor[] inputs, Tensor bias, boolean reverse) {
        super(inputs);
        this.op = op;
        this.xProj = inputs[0];
        this.weight = inputs[1];
        this.bias = bias;
        this.firstState = bias == null ? 2 : 3;
        this.h0 = inputs[firstState];
        this.reverse = reverse;
    }

    /**
     * Checks the operands of a recurrence with {@code gates} gate blocks and lists them as the op's
     * inputs: xProj, weight, bias (when not null), then the states.
     *
     * @param op     the op's name in error messages
     * @param gates  g, the number of gate blocks of H rows in W_hh
     * @param xProj  [T >= 1, N, gH]
     * @param weight W_hh [gH, H]
     * @param bias   b_hh [gH], or null
     * @param states h0 [N, H], then c0 [N, H] for the LSTM
     * @return the inputs
     * @throws IllegalArgumentException naming the argument whose shape, dtype or device does not fit
     */
    static Tensor[] operands(String op, int gates, Tensor xProj, Tensor weight, Tensor bias, Tensor... states) {
        Ops.floating(op, xProj);
        Tensor h0 = states[0];
        String gh = gates == 1 ? "H" : gates + "H";
        if (h0.rank() != 2 || xProj.rank() != 3 || xProj.size(0) < 1) {
            throw new IllegalArgumentException(op + ": expected xProj [T >= 1, N, " + gh + "] and h0 [N, H], got xProj "
                    + Shapes.str(xProj.shape()) + " and h0 " + Shapes.str(h0.shape()));
        }
        int n = xProj.size(1);
        int h = h0.size(1);
        check(op, "xProj", xProj, xProj.size(0), n, gates * h);
        check(op, "weight", weight, gates * h, h);
        if (bias != null) {
            check(op, "bias", bias, gates * h);
        }
        for (int i = 0; i < states.length; i++) {
            check(op, STATE_NAMES[i], states[i], n, h);
        }
        int b = bias == null ? 0 : 1;
        Tensor[] inputs = new Tensor[2 + b + states.length];
        inputs[0] = xProj;
        inputs[1] = weight;
        if (bias != null) {
            inputs[2] = bias;
        }
        System.arraycopy(states, 0, inputs, 2 + b, states.length);
        for (int i = 1; i < inputs.length; i++) {
            Ops.compatible(op, xProj, inputs[i]);
        }
        return inputs;
    }

    private static void check(String op, String name, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + Shapes.str(shape) + ", got "
                    + Shapes.str(t.shape()));
        }
    }

    /**
     * A new tensor on xProj's backend and of its dtype, for a forward result or saved buffer.
     *
     * @param shape its shape
     * @return the tensor, contents unspecified
     */
    final Tensor buffer(int... shape) {
        return Ops.empty(xProj.backend(), xProj.dtype(), shape);
    }

    /**
     * A new tensor shaped like {@code like}, on g's backend and of its dtype.
     *
     * @param g    the output gradient
     * @param like the tensor whose shape to take
     * @return the tensor, contents unspecified
     */
    static Tensor like(Tensor g, Tensor like) {
        return Ops.empty(g.backend(), g.dtype(), like.shape());
    }

    /**
     * The buffer for W_hh's gradient, or null when W_hh needs none.
     *
     * @param g the output gradient
     * @return the buffer, or null
     */
    final Tensor weightGrad(Tensor g) {
        return needsGrad(1) ? like(g, weight) : null;
    }

    /**
     * The buffer for b_hh's gradient, or null when there is no bias or it needs none.
     *
     * @param g the output gradient
     * @return the buffer, or null
     */
    final Tensor biasGrad(Tensor g) {
        return bias != null && needsGrad(2) ? like(g, bias) : null;
    }

    /**
     * The buffer for the gradient of initial state {@code k} (0 for h0, 1 for c0), or null when it
     * needs none.
     *
     * @param g the output gradient
     * @param k the state's index
     * @return the buffer, or null
     */
    final Tensor stateGrad(Tensor g, int k) {
        return needsGrad(firstState + k) ? like(g, h0) : null;
    }

    /**
     * The gradients in input order: xProj's (null when it needs none), W_hh's, b_hh's when there is
     * a bias, then the states'.
     *
     * @param gx      the gradient of xProj
     * @param gw      the gradient of W_hh, or null
     * @param gb      the gradient of b_hh, or null
     * @param gStates the gradients of the states, or nulls
     * @return one gradient (or null) per input
     */
    final Tensor[] gradients(Tensor gx, Tensor gw, Tensor gb, Tensor... gStates) {
        Tensor[] grads = new Tensor[firstState + gStates.length];
        grads[0] = needsGrad(0) ? gx : null;
        grads[1] = gw;
        if (bias != null) {
            grads[2] = gb;
        }
        System.arraycopy(gStates, 0, grads, firstState, gStates.length);
        return grads;
    }

    /**
     * The error for a backend that ran the fused forward but has no fused backward.
     *
     * @param g the output gradient
     * @return the exception to throw
     */
    final IllegalStateException noFusedBackward(Tensor g) {
        return new IllegalStateException(op + ": the " + g.device() + " backend ran the fused forward but "
                + "has no fused backward");
    }

    static Storage storage(Tensor t) {
        return t == null ? null : t.storage();
    }
}
