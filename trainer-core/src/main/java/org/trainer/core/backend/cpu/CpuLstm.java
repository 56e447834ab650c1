package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.Recurrences.previousOffset;
import static org.trainer.core.backend.cpu.Recurrences.time;

import org.trainer.core.DType;

/**
 * The CPU's fused LSTM recurrence ({@link org.trainer.core.backend.Fused.Lstm#lstmForward} and
 * {@link org.trainer.core.backend.Fused.Lstm#lstmBackward}): per step one product h W_hh^T written
 * straight into the step's gate rows, then one pass of {@link LstmCellKernel} that adds the input
 * projection and bias, applies the gates and updates c and h. The backward walks the steps in
 * reverse with one pass and one product dz W_hh per step, and computes the weight gradient of all
 * steps as one product at the end, dW_hh = sum_t dz_t^T h_prev(t), instead of one thin product
 * (inner size N) per step. The threads split the batch once for all steps. Nothing is allocated
 * here but per-thread copies of W_hh^T and dW_hh^T ({@link Recurrences}, which holds what this
 * shares with {@link CpuGru}): the caller passes every other buffer.
 *
 * <p>Layouts, all row-major and indexed by time t (whichever direction the steps run in): xProj,
 * gates and gx [T, N, 4H]; out [T+1, N, H] with out[t] = h after step t and out[T] = the final c;
 * cs [T, N, H] with cs[t] = c after step t. The state fed into step t is that of the step before
 * it in processing order (t - 1, or t + 1 when reverse), or h0, c0 for the first.
 */
final class CpuLstm {
    private CpuLstm() {
    }

    /** Loads the vector cell lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Cells {
        static final LstmCellKernel BEST = Recurrences.bestCell(LstmCellKernel.class, "VectorLstmCell",
                new PortableLstmCell());
    }

    static void forward(int steps, int n, int hidden, boolean reverse, CpuStorage xProj, CpuStorage w, CpuStorage b,
                        CpuStorage h0, CpuStorage c0, CpuStorage out, CpuStorage cs, CpuStorage gates) {
        int nh = n * hidden;
        float[] wt = Recurrences.forwardWeights(w, steps, 4 * hidden, hidden);
        Parallel.forRange(n, Recurrences.minRows(steps, 4 * hidden, hidden), (r0, r1) -> forwardRows(steps, n, hidden,
                reverse, r0, r1, xProj, wt, w, b, h0, c0, out, cs, gates));
        Recurrences.copy(cs, time(steps - 1, steps, reverse) * nh, out, steps * nh, nh);
    }

    /** All steps of {@link #forward} for batch rows [r0, r1). */
    private static void forwardRows(int steps, int n, int hidden, boolean reverse, int r0, int r1, CpuStorage xProj,
                                    float[] wt, CpuStorage w, CpuStorage b, CpuStorage h0, CpuStorage c0,
                                    CpuStorage out, CpuStorage cs, CpuStorage gates) {
        int nh = n * hidden;
        int ng = 4 * nh;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        int gr = 4 * hr;
        boolean single = xProj.dtype == DType.FLOAT32;
        LstmCellKernel cell = single ? Cells.BEST : null;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            CpuStorage hPrev = s == 0 ? h0 : out;
            CpuStorage cPrev = s == 0 ? c0 : cs;
            int prevOff = previousOffset(s, t, nh, hr, reverse);
            int g = t * ng + gr;
            int o = t * nh + hr;
            Recurrences.stepProduct(rows, 4 * hidden, hidden, hPrev, prevOff, wt, w, gates, g);
            if (single) {
                cell.forward(rows, hidden, gates.f, g, xProj.f, g, b == null ? null : b.f, cPrev.f, prevOff, cs.f, o,
                        out.f, o);
            } else {
                DoubleLstmCell.forward(rows, hidden, gates.d, g, xProj.d, g, b == null ? null : b.d, cPrev.d, prevOff,
                        cs.d, o, out.d, o);
            }
        }
    }

    /**
     * gOut is the gradient of out (so gOut[T] that of the final c); writes gx, and gw, gb, gh0 and gc0
     * unless null; dh and dc are [N, H] scratch.
     */
    static void backward(int steps, int n, int hidden, boolean reverse, CpuStorage w, CpuStorage h0, CpuStorage c0,
                         CpuStorage out, CpuStorage cs, CpuStorage gates, CpuStorage gOut, CpuStorage gx,
                         CpuStorage gw, CpuStorage gb, CpuStorage gh0, CpuStorage gc0, CpuStorage dh, CpuStorage dc) {
        int nh = n * hidden;
        Parallel.forRange(n, Recurrences.minRows(steps, 4 * hidden, hidden), (r0, r1) -> backwardRows(steps, n, hidden,
                reverse, r0, r1, w, c0, cs, gates, gOut, gx, gh0 != null, dh, dc));
        if (gc0 != null) {
            Recurrences.copy(dc, 0, gc0, 0, nh);
        }
        Recurrences.finishBackward(steps, n, hidden, 4 * hidden, reverse, h0, out, gx, dh, gh0, gw, gb);
    }

    /** The per-step loop of {@link #backward} for batch rows [r0, r1), leaving dh and dc for h0 and c0. */
    private static void backwardRows(int steps, int n, int hidden, boolean reverse, int r0, int r1, CpuStorage w,
                                     CpuStorage c0, CpuStorage cs, CpuStorage gates, CpuStorage gOut, CpuStorage gx,
                                     boolean needH0, CpuStorage dh, CpuStorage dc) {
        int nh = n * hidden;
        int ng = 4 * nh;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        int gr = 4 * hr;
        boolean single = gOut.dtype == DType.FLOAT32;
        LstmCellKernel cell = single ? Cells.BEST : null;
        Recurrences.copy(gOut, steps * nh + hr, dc, hr, rows * hidden);
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            CpuStorage cPrev = s == 0 ? c0 : cs;
            int prevOff = previousOffset(s, t, nh, hr, reverse);
            int g = t * ng + gr;
            int o = t * nh + hr;
            // The last processed step has no later step whose product would have written dh.
            boolean withDh = s < steps - 1;
            if (single) {
                cell.backward(rows, hidden, gates.f, g, cPrev.f, prevOff, cs.f, o, gOut.f, o, withDh ? dh.f : null,
                        dc.f, hr, gx.f, g);
            } else {
                DoubleLstmCell.backward(rows, hidden, gates.d, g, cPrev.d, prevOff, cs.d, o, gOut.d, o,
                        withDh ? dh.d : null, dc.d, hr, gx.d, g);
            }
            if (s > 0 || needH0) {
                Recurrences.stateGradient(rows, 4 * hidden, hidden, gx, g, w, dh, hr, false);
            }
        }
    }
}
