package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.Recurrences.previousOffset;
import static org.trainer.core.backend.cpu.Recurrences.time;

import org.trainer.core.DType;

/**
 * The CPU's fused Elman RNN recurrence ({@link org.trainer.core.backend.Fused.Rnn#rnnForward} and
 * {@link org.trainer.core.backend.Fused.Rnn#rnnBackward}), built as {@link CpuLstm} is (the shared
 * pieces are in {@link Recurrences}): per step one product h W_hh^T written straight into the
 * step's output rows, then one pass of {@link RnnCellKernel} that adds the input projection and
 * bias and applies the activation there. The backward walks the steps in reverse with one pass
 * and one product dz W_hh per step, and computes dW_hh of all steps as one product at the end;
 * it needs nothing from the forward but its outputs, since act' is a function of act's value.
 *
 * <p>Layouts, row-major and indexed by time t: xProj, out and gx [T, N, H].
 */
final class CpuRnn {
    private CpuRnn() {
    }

    /** Loads the vector cell lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Cells {
        static final RnnCellKernel BEST = Recurrences.bestCell(RnnCellKernel.class, "VectorRnnCell",
                new PortableRnnCell());
    }

    static void forward(int steps, int n, int hidden, boolean reverse, boolean relu, CpuStorage xProj, CpuStorage w,
                        CpuStorage b, CpuStorage h0, CpuStorage out) {
        float[] wt = Recurrences.forwardWeights(w, steps, hidden, hidden);
        Parallel.forRange(n, Recurrences.minRows(steps, hidden, hidden), (r0, r1) -> forwardRows(steps, n, hidden,
                reverse, relu, r0, r1, xProj, wt, w, b, h0, out));
    }

    /** All steps of {@link #forward} for batch rows [r0, r1). */
    private static void forwardRows(int steps, int n, int hidden, boolean reverse, boolean relu, int r0, int r1,
                                    CpuStorage xProj, float[] wt, CpuStorage w, CpuStorage b, CpuStorage h0,
                                    CpuStorage out) {
        int nh = n * hidden;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        boolean single = xProj.dtype == DType.FLOAT32;
        RnnCellKernel cell = single ? Cells.BEST : null;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            CpuStorage hPrev = s == 0 ? h0 : out;
            int prevOff = previousOffset(s, t, nh, hr, reverse);
            int o = t * nh + hr;
            Recurrences.stepProduct(rows, hidden, hidden, hPrev, prevOff, wt, w, out, o);
            if (single) {
                cell.forward(rows, hidden, relu, out.f, o, xProj.f, o, b == null ? null : b.f);
            } else {
                forwardDouble(rows * hidden, hidden, relu, out.d, o, xProj.d, b == null ? null : b.d);
            }
        }
    }

    /** The float64 cell, in the order of {@code RNN}'s composed cell: act((x + p) + b) as (x + (p + b)). */
    private static void forwardDouble(int size, int hidden, boolean relu, double[] h, int o, double[] x,
                                      double[] bias) {
        for (int i = 0; i < size; i++) {
            double z = x[o + i] + (h[o + i] + (bias == null ? 0 : bias[i % hidden]));
            h[o + i] = relu ? Math.max(0, z) : Math.tanh(z);
        }
    }

    /**
     * gOut is the gradient of out; writes gx (the gradient of the pre-activation at every step, which
     * is that of xProj), and gw, gb and gh0 unless null; dh is [N, H] scratch.
     */
    static void backward(int steps, int n, int hidden, boolean reverse, boolean relu, CpuStorage w, CpuStorage h0,
                         CpuStorage out, CpuStorage gOut, CpuStorage gx, CpuStorage gw, CpuStorage gb, CpuStorage gh0,
                         CpuStorage dh) {
        Parallel.forRange(n, Recurrences.minRows(steps, hidden, hidden), (r0, r1) -> backwardRows(steps, n, hidden,
                reverse, relu, r0, r1, w, out, gOut, gx, gh0 != null, dh));
        Recurrences.finishBackward(steps, n, hidden, hidden, reverse, h0, out, gx, dh, gh0, gw, gb);
    }

    /** The per-step loop of {@link #backward} for batch rows [r0, r1), leaving in dh the gradient of h0. */
    private static void backwardRows(int steps, int n, int hidden, boolean reverse, boolean relu, int r0, int r1,
                                     CpuStorage w, CpuStorage out, CpuStorage gOut, CpuStorage gx, boolean needH0,
                                     CpuStorage dh) {
        int nh = n * hidden;
        int size = (r1 - r0) * hidden;
        int hr = r0 * hidden;
        boolean single = gOut.dtype == DType.FLOAT32;
        RnnCellKernel cell = single ? Cells.BEST : null;
        for (int s = steps - 1; s >= 0; s--) {
            int o = time(s, steps, reverse) * nh + hr;
            // The last processed step has no later step whose product would have written dh.
            boolean withDh = s < steps - 1;
            if (single) {
                cell.backward(size, relu, out.f, o, gOut.f, o, withDh ? dh.f : null, hr, gx.f, o);
            } else {
                backwardDouble(size, relu, out.d, o, gOut.d, withDh ? dh.d : null, hr, gx.d);
            }
            if (s > 0 || needH0) {
                Recurrences.stateGradient(r1 - r0, hidden, hidden, gx, o, w, dh, hr, false);
            }
        }
    }

    private static void backwardDouble(int size, boolean relu, double[] h, int o, double[] gOut, double[] dh, int d,
                                       double[] dz) {
        for (int i = 0; i < size; i++) {
            double gh = gOut[o + i] + (dh == null ? 0 : dh[d + i]);
            double y = h[o + i];
            dz[o + i] = relu ? (y > 0 ? gh : 0) : gh * (1 - y * y);
        }
    }
}
