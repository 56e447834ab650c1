package org.trainer.core.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;

/**
 * The CPU's fused LSTM recurrence ({@link org.trainer.core.backend.Fused.Lstm#lstmForward} and
 * {@link org.trainer.core.backend.Fused.Lstm#lstmBackward}): per step one product h W_hh^T written
 * straight into the step's gate rows, then one pass of {@link LstmCellKernel} that adds the input
 * projection and bias, applies the gates and updates c and h. The backward walks the steps in
 * reverse with one pass and one product dz W_hh per step, and computes the weight gradient of all
 * steps as one product at the end, dW_hh = sum_t dz_t^T h_prev(t), instead of one thin product
 * (inner size N) per step. The threads split the batch once for all steps (see {@link #MIN_WORK}).
 * Nothing is allocated here but per-thread copies of W_hh^T and dW_hh^T: the caller passes every
 * other buffer.
 *
 * <p>Layouts, all row-major and indexed by time t (whichever direction the steps run in): xProj,
 * gates and gx [T, N, 4H]; out [T+1, N, H] with out[t] = h after step t and out[T] = the final c;
 * cs [T, N, H] with cs[t] = c after step t. The state fed into step t is that of the step before
 * it in processing order (t - 1, or t + 1 when reverse), or h0, c0 for the first.
 */
final class CpuLstm {
    private static final Logger LOG = LoggerFactory.getLogger(CpuLstm.class);

    /**
     * Per thread, W_hh^T [H, 4H] for the forward steps, grown on demand. With B = W_hh^T stored
     * [k, n] and a thin A (N rows), SGEMM reads B in place; with W_hh itself ([n, k], transposed)
     * it would copy all of it into packed panels at every step.
     */
    private static final ThreadLocal<float[]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * Steps from which the transposed copies pay: a transposition costs about what packing W_hh
     * for one step's product does, so one or two steps take the products that need none.
     */
    private static final int TRANSPOSE_MIN_STEPS = 4;
    /** Per thread, dW_hh^T [H, 4H] before it is transposed into the gradient, grown on demand. */
    private static final ThreadLocal<float[]> WEIGHT_GRADIENT = ThreadLocal.withInitial(() -> new float[0]);

    private CpuLstm() {
    }

    /** Loads the vector cell lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Cells {
        static final LstmCellKernel BEST = select();

        private static LstmCellKernel select() {
            if (!VectorSupport.present()) {
                VectorSupport.warnIfMissing();
                return new PortableLstmCell();
            }
            try {
                Class<?> type = Class.forName(CpuLstm.class.getPackageName() + ".VectorLstmCell");
                return (LstmCellKernel) type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.info("Vector API LSTM cell unavailable ({}): the portable one runs", e.toString());
                return new PortableLstmCell();
            }
        }
    }

    /** The step processed {@code s}-th: t = s, or T - 1 - s when reverse. */
    private static int time(int s, int steps, boolean reverse) {
        return reverse ? steps - 1 - s : s;
    }

    /** The step processed just before step t (its state feeds t). */
    private static int previous(int t, boolean reverse) {
        return reverse ? t + 1 : t - 1;
    }

    /**
     * Multiply-adds of the step products per thread, at least (SGEMM's threshold for splitting one
     * product). The recurrence of one sample never reads another's, so the threads split the batch
     * once for all T steps instead of meeting at every step's small product (two fork-joins a step,
     * each a wake-up that a busy machine may delay); a short sequence stays on one thread.
     */
    private static final long MIN_WORK = 1L << 23;

    static void forward(int steps, int n, int hidden, boolean reverse, CpuStorage xProj, CpuStorage w, CpuStorage b,
                        CpuStorage h0, CpuStorage c0, CpuStorage out, CpuStorage cs, CpuStorage gates) {
        int nh = n * hidden;
        boolean single = xProj.dtype == DType.FLOAT32;
        float[] wt = single && steps >= TRANSPOSE_MIN_STEPS ? transposed(w.f, 4 * hidden, hidden) : null;
        Parallel.forRange(n, minRows(steps, hidden), (r0, r1) -> forwardRows(steps, n, hidden, reverse, r0, r1, xProj, wt, w, b, h0,
                c0, out, cs, gates));
        int last = time(steps - 1, steps, reverse);
        if (single) {
            System.arraycopy(cs.f, last * nh, out.f, steps * nh, nh);
        } else {
            System.arraycopy(cs.d, last * nh, out.d, steps * nh, nh);
        }
    }

    /** The fewest batch rows worth a thread of their own: {@link #MIN_WORK} over the work of one row. */
    private static int minRows(int steps, int hidden) {
        long perRow = (long) steps * 4 * hidden * hidden;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (MIN_WORK + perRow - 1) / perRow));
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
            int prevOff = (s == 0 ? 0 : previous(t, reverse) * nh) + hr;
            int g = t * ng + gr;
            int o = t * nh + hr;
            if (single) {
                if (wt != null) {
                    Sgemm.gemmSerial(false, false, rows, 4 * hidden, hidden, hPrev.f, prevOff, wt, 0, gates.f, g, false);
                } else {
                    Sgemm.gemmSerial(false, true, rows, 4 * hidden, hidden, hPrev.f, prevOff, w.f, 0, gates.f, g, false);
                }
                cell.forward(rows, hidden, gates.f, g, xProj.f, g, b == null ? null : b.f, cPrev.f, prevOff, cs.f, o,
                        out.f, o);
            } else {
                CpuBackend.dgemm(false, true, rows, 4 * hidden, hidden, hPrev.d, prevOff, w.d, 0, gates.d, g, false);
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
        Parallel.forRange(n, minRows(steps, hidden), (r0, r1) -> backwardRows(steps, n, hidden, reverse, r0, r1, w, c0, cs, gates,
                gOut, gx, gh0 != null, dh, dc));
        if (gh0 != null) {
            copy(dh, gh0, nh);
        }
        if (gc0 != null) {
            copy(dc, gc0, nh);
        }
        if (gw != null) {
            weightGradient(steps, n, hidden, reverse, h0, out, gx, gw);
        }
        if (gb != null) {
            columnSums(gx, steps * n, 4 * hidden, gb);
        }
    }

    /** The per-step loop of {@link #backward} for batch rows [r0, r1), leaving dh and dc for h0 and c0. */
    private static void backwardRows(int steps, int n, int hidden, boolean reverse, int r0, int r1, CpuStorage w,
                                     CpuStorage c0, CpuStorage cs, CpuStorage gates, CpuStorage gOut, CpuStorage gx,
                                     boolean needH0, CpuStorage dh, CpuStorage dc) {
        int nh = n * hidden;
        int ng = 4 * nh;
        int g4 = 4 * hidden;
        int rows = r1 - r0;
        int hr = r0 * hidden;
        int gr = 4 * hr;
        boolean single = gOut.dtype == DType.FLOAT32;
        LstmCellKernel cell = single ? Cells.BEST : null;
        if (single) {
            System.arraycopy(gOut.f, steps * nh + hr, dc.f, hr, rows * hidden);
        } else {
            System.arraycopy(gOut.d, steps * nh + hr, dc.d, hr, rows * hidden);
        }
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            CpuStorage cPrev = s == 0 ? c0 : cs;
            int prevOff = (s == 0 ? 0 : previous(t, reverse) * nh) + hr;
            int g = t * ng + gr;
            int o = t * nh + hr;
            // The last processed step has no later step whose product would have written dh.
            boolean withDh = s < steps - 1;
            boolean needDh = s > 0 || needH0;
            if (single) {
                cell.backward(rows, hidden, gates.f, g, cPrev.f, prevOff, cs.f, o, gOut.f, o, withDh ? dh.f : null,
                        dc.f, hr, gx.f, g);
                if (needDh) {
                    Sgemm.gemmSerial(false, false, rows, hidden, g4, gx.f, g, w.f, 0, dh.f, hr, false);
                }
            } else {
                DoubleLstmCell.backward(rows, hidden, gates.d, g, cPrev.d, prevOff, cs.d, o, gOut.d, o,
                        withDh ? dh.d : null, dc.d, hr, gx.d, g);
                if (needDh) {
                    CpuBackend.dgemm(false, false, rows, hidden, g4, gx.d, g, w.d, 0, dh.d, hr, false);
                }
            }
        }
    }

    /**
     * dW = sum_t dz_t^T hPrev(t): the steps whose previous h is a row of out make one product of
     * inner size (T - 1) N, since out holds them in the same order as gx; the first processed step,
     * fed h0, adds its own.
     */
    private static void weightGradient(int steps, int n, int hidden, boolean reverse, CpuStorage h0, CpuStorage out,
                                       CpuStorage gx, CpuStorage gw) {
        int g4 = 4 * hidden;
        int rows = (steps - 1) * n;
        // Forward: gx rows 1..T-1 pair with out rows 0..T-2; reverse: gx rows 0..T-2 with out rows 1..T-1.
        int gxOff = reverse ? 0 : n * g4;
        int outOff = reverse ? n * hidden : 0;
        int first = time(0, steps, reverse) * n * g4;
        if (gx.dtype == DType.FLOAT32 && steps < TRANSPOSE_MIN_STEPS) {
            Sgemm.gemm(true, false, g4, hidden, rows, gx.f, gxOff, out.f, outOff, gw.f, 0, false);
            Sgemm.gemm(true, false, g4, hidden, n, gx.f, first, h0.f, 0, gw.f, 0, true);
        } else if (gx.dtype == DType.FLOAT32) {
            // As dW^T = hPrev^T dz, then transposed: SGEMM packs the transposed operand, and H
            // columns of out are a quarter of gx's 4H (measured: 15 ms instead of 19 at T = 64,
            // N = 32, H = 256 on one core).
            float[] gwt = buffer(WEIGHT_GRADIENT, g4 * hidden);
            Sgemm.gemm(true, false, hidden, g4, rows, out.f, outOff, gx.f, gxOff, gwt, 0, false);
            Sgemm.gemm(true, false, hidden, g4, n, h0.f, 0, gx.f, first, gwt, 0, true);
            transpose(gwt, hidden, g4, gw.f);
        } else {
            CpuBackend.dgemm(true, false, g4, hidden, rows, gx.d, gxOff, out.d, outOff, gw.d, 0, false);
            CpuBackend.dgemm(true, false, g4, hidden, n, gx.d, first, h0.d, 0, gw.d, 0, true);
        }
    }

    /** w [rows, cols] transposed into this thread's buffer. */
    private static float[] transposed(float[] w, int rows, int cols) {
        float[] t = buffer(TRANSPOSED, rows * cols);
        transpose(w, rows, cols, t);
        return t;
    }

    private static float[] buffer(ThreadLocal<float[]> local, int size) {
        float[] b = local.get();
        if (b.length < size) {
            b = new float[size];
            local.set(b);
        }
        return b;
    }

    /** dst [cols, rows] = src [rows, cols]^T. */
    private static void transpose(float[] src, int rows, int cols, float[] dst) {
        // In square blocks: row by row, every write of a row of src would land on a different cache
        // line. Small ones: with a power-of-two row length (4 KiB, say) the block's rows share one
        // set of the L1 cache, which holds 8 of them; 32 x 32 blocks of [256, 1024] took 4x longer.
        int block = 8;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                int c1 = Math.min(cols, c0 + block);
                for (int c = c0; c < c1; c++) {
                    for (int r = r0; r < r1; r++) {
                        dst[c * rows + r] = src[r * cols + c];
                    }
                }
            }
        }
    }

    /** sums[j] = sum over r of x[r, j] for x [rows, cols]. */
    private static void columnSums(CpuStorage x, int rows, int cols, CpuStorage sums) {
        if (x.dtype == DType.FLOAT32) {
            float[] a = x.f;
            float[] s = sums.f;
            java.util.Arrays.fill(s, 0, cols, 0f);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int j = 0; j < cols; j++) {
                    s[j] += a[o + j];
                }
            }
        } else {
            double[] a = x.d;
            double[] s = sums.d;
            java.util.Arrays.fill(s, 0, cols, 0.0);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int j = 0; j < cols; j++) {
                    s[j] += a[o + j];
                }
            }
        }
    }

    private static void copy(CpuStorage src, CpuStorage dst, int size) {
        if (src.dtype == DType.FLOAT32) {
            System.arraycopy(src.f, 0, dst.f, 0, size);
        } else {
            System.arraycopy(src.d, 0, dst.d, 0, size);
        }
    }
}
