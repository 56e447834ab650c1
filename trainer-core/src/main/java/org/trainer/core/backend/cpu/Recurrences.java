package org.trainer.core.backend.cpu;

import org.trainer.core.DType;

/**
 * What the CPU's fused recurrences ({@link CpuRnn}, {@link CpuGru}, {@link CpuLstm}) share: the
 * step order, the split of the batch over threads, the per-step products against W_hh and the
 * gradients of W_hh, b_hh and h0 of all steps at the end, dW_hh as one product. A recurrence of G gate blocks has W_hh [G H, H] and per step a gate
 * row of width G H; {@code width} below is that G H.
 *
 * <p>Layouts, row-major and indexed by time t whichever direction the steps run in: a step's
 * pre-activations and gradients [T, N, width]; the outputs out [T(+1), N, H] with out[t] = h after
 * step t. The state fed into step t is that of the step before it in processing order (t - 1, or
 * t + 1 when reverse), or h0 for the first.
 */
final class Recurrences {
    /**
     * Per thread, W_hh^T [H, width] for the forward steps, grown on demand. With B = W_hh^T stored
     * [k, n] and a thin A (N rows), SGEMM reads B in place; with W_hh itself ([n, k], transposed)
     * it would copy all of it into packed panels at every step.
     */
    private static final ThreadLocal<float[]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * Steps from which the transposed copies pay: a transposition costs about what packing W_hh
     * for one step's product does, so one or two steps take the products that need none.
     */
    static final int TRANSPOSE_MIN_STEPS = 4;
    /** Per thread, dW_hh^T [H, width] before it is transposed into the gradient, grown on demand. */
    private static final ThreadLocal<float[]> WEIGHT_GRADIENT = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * Multiply-adds of the step products per thread, at least (SGEMM's threshold for splitting one
     * product). The recurrence of one sample never reads another's, so the threads split the batch
     * once for all T steps instead of meeting at every step's small product (two fork-joins a step,
     * each a wake-up that a busy machine may delay); a short sequence stays on one thread.
     */
    private static final long MIN_WORK = 1L << 23;

    private Recurrences() {
    }

    /**
     * The Vector API form of a cell kernel, class {@code vectorClass} of this package, where the
     * module is present and the class links; else {@code portable}.
     */
    static <K> K bestCell(Class<K> kind, String vectorClass, K portable) {
        K vector = VectorSupport.load(kind, vectorClass, false, "the portable one runs");
        return vector == null ? portable : vector;
    }

    /** The step processed {@code s}-th: t = s, or T - 1 - s when reverse. */
    static int time(int s, int steps, boolean reverse) {
        return reverse ? steps - 1 - s : s;
    }

    /** The step processed just before step t (its state feeds t). */
    static int previous(int t, boolean reverse) {
        return reverse ? t + 1 : t - 1;
    }

    /**
     * The offset of the state fed into step t, processed {@code s}-th, for the batch rows from
     * {@code hr} = r0 H on: in out (or cs) at {@link #previous} of t, or in h0 (or c0) when s = 0.
     */
    static int previousOffset(int s, int t, int nh, int hr, boolean reverse) {
        return (s == 0 ? 0 : previous(t, reverse) * nh) + hr;
    }

    /** The fewest batch rows worth a thread of their own: {@link #MIN_WORK} over the work of one row. */
    static int minRows(int steps, int width, int hidden) {
        long perRow = (long) steps * width * hidden;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (MIN_WORK + perRow - 1) / perRow));
    }

    /** W_hh^T for the forward products when the sequence is long enough to pay for it, else null. */
    static float[] forwardWeights(CpuStorage w, int steps, int width, int hidden) {
        return w.dtype == DType.FLOAT32 && steps >= TRANSPOSE_MIN_STEPS ? transposed(w.f, width, hidden) : null;
    }

    /**
     * dst[off..] [rows, width] = hPrev[prevOff..] [rows, H] W_hh^T, from wt = W_hh^T where not null,
     * else from w = W_hh.
     */
    static void stepProduct(int rows, int width, int hidden, CpuStorage hPrev, int prevOff, float[] wt, CpuStorage w,
                            CpuStorage dst, int off) {
        if (dst.dtype != DType.FLOAT32) {
            CpuBackend.dgemm(false, true, rows, width, hidden, hPrev.d, prevOff, w.d, 0, dst.d, off, false);
        } else if (wt != null) {
            Sgemm.gemmSerial(false, false, rows, width, hidden, hPrev.f, prevOff, wt, 0, dst.f, off, false);
        } else {
            Sgemm.gemmSerial(false, true, rows, width, hidden, hPrev.f, prevOff, w.f, 0, dst.f, off, false);
        }
    }

    /** dh[off..] [rows, H] = (accumulate ? dh : 0) + dz[dzOff..] [rows, width] W_hh. */
    static void stateGradient(int rows, int width, int hidden, CpuStorage dz, int dzOff, CpuStorage w, CpuStorage dh,
                              int off, boolean accumulate) {
        if (dz.dtype == DType.FLOAT32) {
            Sgemm.gemmSerial(false, false, rows, hidden, width, dz.f, dzOff, w.f, 0, dh.f, off, accumulate);
        } else {
            CpuBackend.dgemm(false, false, rows, hidden, width, dz.d, dzOff, w.d, 0, dh.d, off, accumulate);
        }
    }

    /**
     * gw [width, H] = sum_t dz_t^T hPrev(t): the steps whose previous h is a row of out make one
     * product of inner size (T - 1) N, since out holds them in the same order as dz; the first
     * processed step, fed h0, adds its own.
     */
    static void weightGradient(int steps, int n, int hidden, int width, boolean reverse, CpuStorage h0,
                               CpuStorage out, CpuStorage dz, CpuStorage gw) {
        int rows = (steps - 1) * n;
        // Forward: dz rows 1..T-1 pair with out rows 0..T-2; reverse: dz rows 0..T-2 with out rows 1..T-1.
        int dzOff = reverse ? 0 : n * width;
        int outOff = reverse ? n * hidden : 0;
        int first = time(0, steps, reverse) * n * width;
        if (dz.dtype == DType.FLOAT32 && steps < TRANSPOSE_MIN_STEPS) {
            Sgemm.gemm(true, false, width, hidden, rows, dz.f, dzOff, out.f, outOff, gw.f, 0, false);
            Sgemm.gemm(true, false, width, hidden, n, dz.f, first, h0.f, 0, gw.f, 0, true);
        } else if (dz.dtype == DType.FLOAT32) {
            // As dW^T = hPrev^T dz, then transposed: SGEMM packs the transposed operand, and H
            // columns of out are a fraction of dz's width (measured for the LSTM: 15 ms instead of
            // 19 at T = 64, N = 32, H = 256 on one core).
            float[] gwt = buffer(WEIGHT_GRADIENT, width * hidden);
            Sgemm.gemm(true, false, hidden, width, rows, out.f, outOff, dz.f, dzOff, gwt, 0, false);
            Sgemm.gemm(true, false, hidden, width, n, h0.f, 0, dz.f, first, gwt, 0, true);
            transpose(gwt, hidden, width, gw.f);
        } else {
            CpuBackend.dgemm(true, false, width, hidden, rows, dz.d, dzOff, out.d, outOff, gw.d, 0, false);
            CpuBackend.dgemm(true, false, width, hidden, n, dz.d, first, h0.d, 0, gw.d, 0, true);
        }
    }

    /**
     * What the backward passes finish with once the per-step loops have left in dz the gradients of
     * every step's pre-activations [T, N, width] and in dh that of h0: gh0 = dh,
     * gw = sum_t dz_t^T hPrev(t) ({@link #weightGradient}) and gb = sum_t dz_t, each unless null.
     */
    static void finishBackward(int steps, int n, int hidden, int width, boolean reverse, CpuStorage h0,
                               CpuStorage out, CpuStorage dz, CpuStorage dh, CpuStorage gh0, CpuStorage gw,
                               CpuStorage gb) {
        if (gh0 != null) {
            copy(dh, 0, gh0, 0, n * hidden);
        }
        if (gw != null) {
            weightGradient(steps, n, hidden, width, reverse, h0, out, dz, gw);
        }
        if (gb != null) {
            columnSums(dz, steps * n, width, gb);
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
    static void columnSums(CpuStorage x, int rows, int cols, CpuStorage sums) {
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

    /** dst[dstOff..] = src[srcOff..], size elements. */
    static void copy(CpuStorage src, int srcOff, CpuStorage dst, int dstOff, int size) {
        if (src.dtype == DType.FLOAT32) {
            System.arraycopy(src.f, srcOff, dst.f, dstOff, size);
        } else {
            System.arraycopy(src.d, srcOff, dst.d, dstOff, size);
        }
    }
}
