package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.Recurrences.previousOffset;
import static org.trainer.core.backend.cpu.Recurrences.time;

import org.trainer.core.DType;

/**
 * The CPU's fused GRU recurrence ({@link org.trainer.core.backend.Fused.Gru#gruForward} and
 * {@link org.trainer.core.backend.Fused.Gru#gruBackward}), built as {@link CpuLstm} is (the shared
 * pieces are in {@link Recurrences}): per step one product h W_hh^T written straight into the
 * step's gate rows, then one pass of {@link GruCellKernel}. The backward walks the steps in
 * reverse with one pass and one product dhp W_hh per step, and computes dW_hh of all steps as one
 * product at the end. The threads split the batch once for all steps.
 *
 * <p>Layouts, row-major and indexed by time t: xProj, gates, gx and ghp [T, N, 3H]; out and hn
 * [T, N, H]. gates holds r, z, n of each step, hn the W_hn h' + b_hn that the reset gate scaled,
 * out the h after each step.
 */
final class CpuGru {
    private CpuGru() {
    }

    /** Loads the vector cell lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Cells {
        static final GruCellKernel BEST = Recurrences.bestCell(GruCellKernel.class, "VectorGruCell",
                new PortableGruCell());
    }

    static void forward(int steps, int n, int hidden, boolean reverse, CpuStorage xProj, CpuStorage w, CpuStorage b,
                        CpuStorage h0, CpuStorage out, CpuStorage gates, CpuStorage hn) {
        float[] wt = Recurrences.forwardWeights(w, steps, 3 * hidden, hidden);
        Parallel.forRange(n, Recurrences.minRows(steps, 3 * hidden, hidden), (r0, r1) -> forwardRows(steps, n, hidden,
                reverse, r0, r1, xProj, wt, w, b, h0, out, gates, hn));
    }

    /** All steps of {@link #forward} for batch rows [r0, r1). */
    private static void forwardRows(int steps, int n, int hidden, boolean reverse, int r0, int r1, CpuStorage xProj,
                                    float[] wt, CpuStorage w, CpuStorage b, CpuStorage h0, CpuStorage out,
                                    CpuStorage gates, CpuStorage hn) {
        int nh = n * hidden;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        boolean single = xProj.dtype == DType.FLOAT32;
        GruCellKernel cell = single ? Cells.BEST : null;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            CpuStorage hPrev = s == 0 ? h0 : out;
            int prevOff = previousOffset(s, t, nh, hr, reverse);
            int g = 3 * (t * nh + hr);
            int o = t * nh + hr;
            Recurrences.stepProduct(rows, 3 * hidden, hidden, hPrev, prevOff, wt, w, gates, g);
            if (single) {
                cell.forward(rows, hidden, gates.f, g, xProj.f, g, b == null ? null : b.f, hPrev.f, prevOff, hn.f, o,
                        out.f, o);
            } else {
                DoubleGruCell.forward(rows, hidden, gates.d, g, xProj.d, g, b == null ? null : b.d, hPrev.d, prevOff,
                        hn.d, o, out.d, o);
            }
        }
    }

    /**
     * gOut is the gradient of out; writes gx and ghp (the gradient of h' W_hh^T + b_hh at every step),
     * and gw, gb and gh0 unless null; dh is [N, H] scratch.
     */
    static void backward(int steps, int n, int hidden, boolean reverse, CpuStorage w, CpuStorage h0, CpuStorage out,
                         CpuStorage gates, CpuStorage hn, CpuStorage gOut, CpuStorage gx, CpuStorage ghp,
                         CpuStorage gw, CpuStorage gb, CpuStorage gh0, CpuStorage dh) {
        Parallel.forRange(n, Recurrences.minRows(steps, 3 * hidden, hidden), (r0, r1) -> backwardRows(steps, n, hidden,
                reverse, r0, r1, w, h0, out, gates, hn, gOut, gx, ghp, gh0 != null, dh));
        Recurrences.finishBackward(steps, n, hidden, 3 * hidden, reverse, h0, out, ghp, dh, gh0, gw, gb);
    }

    /**
     * The per-step loop of {@link #backward} for batch rows [r0, r1), leaving in dh the gradient of h0:
     * the cell writes the direct part gh z, the product adds dhp W_hh.
     */
    private static void backwardRows(int steps, int n, int hidden, boolean reverse, int r0, int r1, CpuStorage w,
                                     CpuStorage h0, CpuStorage out, CpuStorage gates, CpuStorage hn, CpuStorage gOut,
                                     CpuStorage gx, CpuStorage ghp, boolean needH0, CpuStorage dh) {
        int nh = n * hidden;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        boolean single = gOut.dtype == DType.FLOAT32;
        GruCellKernel cell = single ? Cells.BEST : null;
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            CpuStorage hPrev = s == 0 ? h0 : out;
            int prevOff = previousOffset(s, t, nh, hr, reverse);
            int g = 3 * (t * nh + hr);
            int o = t * nh + hr;
            // The last processed step has no later step that would have written dh.
            boolean withDh = s < steps - 1;
            if (single) {
                cell.backward(rows, hidden, gates.f, g, hn.f, o, hPrev.f, prevOff, gOut.f, o, dh.f, hr, withDh, gx.f,
                        ghp.f, g);
            } else {
                DoubleGruCell.backward(rows, hidden, gates.d, g, hn.d, o, hPrev.d, prevOff, gOut.d, o, dh.d, hr, withDh,
                        gx.d, ghp.d, g);
            }
            if (s > 0 || needH0) {
                Recurrences.stateGradient(rows, 3 * hidden, hidden, ghp, g, w, dh, hr, true);
            }
        }
    }
}
