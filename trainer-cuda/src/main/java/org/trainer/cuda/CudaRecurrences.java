package org.trainer.cuda;

import org.trainer.core.DType;
import org.trainer.core.backend.Storage;

/**
 * The CUDA backend's fused recurrences ({@link org.trainer.core.backend.Fused.Lstm},
 * {@link org.trainer.core.backend.Fused.Gru}, {@link org.trainer.core.backend.Fused.Rnn}), as
 * PyTorch runs its fused cells: the time loop stays on the host, and each step is one cuBLAS
 * product h' W_hh^T written straight into the step's gate rows, then one pointwise kernel
 * (recurrent.cu) that adds the input projection and bias and applies the gates. The backward
 * walks the steps in reverse with one pointwise kernel and one product dz W_hh per step, then
 * computes dW_hh = sum_t dz_t^T h'(t) of all steps as one product (plus one for the step fed h0)
 * and db_hh as column sums of dz: the composed fallback instead makes some twenty launches per step.
 *
 * <p>Layouts (the contract of {@link org.trainer.core.backend.Fused}), row-major and indexed by
 * time t whichever way the steps run: inputs and gates [T, N, G H] for G gate blocks, states
 * [T(+1), N, H]. The state fed into step t is that of the step processed before it (t - 1, or
 * t + 1 when reverse), or h0 (c0) for the first. All work queues on the default stream in order,
 * so a step's kernel sees the product before it and the next product sees the kernel's output.
 */
final class CudaRecurrences<S> {
    /**
     * What the host loop asks of the device, over storages of type S: the products, the launches of
     * recurrent.cu's kernels and copies. {@link #on} binds it to a CUDA backend; a test binds it to
     * host arrays and kernels written after recurrent.cu, to check the loop without a GPU.
     *
     * @param <S> the storage type
     */
    interface Device<S> {
        /**
         * c[cOff..] [m, n] = (accumulate ? c : 0) + op(a[aOff..]) op(b[bOff..]), row-major, op the
         * transpose where asked (a stored [k, m] when transA, b stored [n, k] when transB); m, n, k &gt;= 1.
         */
        void gemm(boolean transA, boolean transB, int m, int n, int k, S a, int aOff, S b, int bOff, S c, int cOff,
                  boolean accumulate);

        /** Launches kernel {@code name} of recurrent.cu over {@code total} threads (a grid-stride loop). */
        void launch(String name, long total, Object... args);

        /** dst[dstOff..] = src[srcOff..], size elements. */
        void copy(S src, int srcOff, S dst, int dstOff, int size);

        /** The kernels' dtype suffix of s: "f32" or "f64". */
        String suffix(S s);
    }

    private final Device<S> k;

    CudaRecurrences(Device<S> device) {
        this.k = device;
    }

    /** The loop on a CUDA backend: recurrent.ptx's kernels, products through its GEMM, its copy primitive. */
    static CudaRecurrences<CudaStorage> on(CudaBackend backend, Kernels kernels, Gemm gemm) {
        int[] unit = {1};
        return new CudaRecurrences<>(new Device<>() {
            @Override
            public void gemm(boolean transA, boolean transB, int m, int n, int kk, CudaStorage a, int aOff,
                             CudaStorage b, int bOff, CudaStorage c, int cOff, boolean accumulate) {
                gemm.gemm(transA, transB, 1, m, n, kk, a, aOff, 0, b, bOff, 0, c, cOff, 0, accumulate);
            }

            @Override
            public void launch(String name, long total, Object... args) {
                kernels.launch("recurrent", name, total, args);
            }

            @Override
            public void copy(CudaStorage src, int srcOff, CudaStorage dst, int dstOff, int size) {
                backend.copy(src, srcOff, unit, dst, dstOff, unit, new int[] {size});
            }

            @Override
            public String suffix(CudaStorage s) {
                return s.dtype() == DType.FLOAT64 ? "f64" : "f32";
            }
        });
    }

    /** The step processed s-th: s, or T - 1 - s when reverse. */
    static int time(int s, int steps, boolean reverse) {
        return reverse ? steps - 1 - s : s;
    }

    /** The offset of the state [N, H] fed into step t, processed s-th: in out (cs) at the step before, or h0's 0. */
    static int previousOffset(int s, int t, int nh, boolean reverse) {
        return s == 0 ? 0 : (reverse ? t + 1 : t - 1) * nh;
    }

    /** dst [n, width] at off = hPrev [n, H] at prevOff times W_hh^T (W_hh [width, H]). */
    private void stepProduct(int n, int width, int hidden, S hPrev, int prevOff, S w, S dst, int off) {
        k.gemm(false, true, n, width, hidden, hPrev, prevOff, w, 0, dst, off, false);
    }

    /** dh [n, H] = (accumulate ? dh : 0) + dz [n, width] at off times W_hh [width, H]. */
    private void stateGradient(int n, int width, int hidden, S dz, int off, S w, S dh, boolean accumulate) {
        k.gemm(false, false, n, hidden, width, dz, off, w, 0, dh, 0, accumulate);
    }

    /**
     * gh0 = dh, gw [width, H] = sum_t dz_t^T h'(t) and gb = the column sums of dz [T N, width], each
     * unless null. out's rows 0..T-1 are the h of the steps by time, so the steps fed a row of out
     * make one product of inner size (T - 1) N: forward, dz rows 1..T-1 with out rows 0..T-2;
     * reverse, dz rows 0..T-2 with out rows 1..T-1. The first processed step, fed h0, adds its own.
     */
    private void finish(int steps, int n, int hidden, int width, boolean reverse, S h0, S out, S dz, S dh, S gh0,
                        S gw, S gb) {
        if (gh0 != null) {
            k.copy(dh, 0, gh0, 0, n * hidden);
        }
        if (gw != null) {
            int rows = (steps - 1) * n;
            if (rows > 0) {
                k.gemm(true, false, width, hidden, rows, dz, reverse ? 0 : n * width, out, reverse ? n * hidden : 0,
                        gw, 0, false);
            }
            k.gemm(true, false, width, hidden, n, dz, time(0, steps, reverse) * n * width, h0, 0, gw, 0, rows > 0);
        }
        if (gb != null) {
            k.launch("column_sums_" + k.suffix(dz), width, steps * n, width, dz, gb);
        }
    }

    // ---------------------------------------------------------------- arguments

    // Each check below throws, naming the argument, when a storage does not hold its shape in the
    // dtype of the first input, and returns whether the fused path runs: it declines (the caller
    // composes the steps, which handle them) an empty batch or state, whose products cuBLAS refuses.

    private static boolean runs(int n, int hidden) {
        return n > 0 && hidden > 0;
    }

    static boolean checkLstmForward(int steps, int n, int hidden, Storage xProj, Storage w, Storage b, Storage h0,
                                    Storage c0, Storage out, Storage cs, Storage gates) {
        String op = "lstmForward";
        FusedArguments.recurrence(op, steps, n, hidden, 4);
        DType d = xProj.dtype();
        FusedArguments.require(op, "xProj", xProj, d, steps, n, 4 * hidden);
        FusedArguments.require(op, "wHh", w, d, 4 * hidden, hidden);
        FusedArguments.optional(op, "bHh", b, d, 4 * hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "c0", c0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps + 1, n, hidden);
        FusedArguments.require(op, "cs", cs, d, steps, n, hidden);
        FusedArguments.require(op, "gates", gates, d, steps, n, 4 * hidden);
        return runs(n, hidden);
    }

    static boolean checkLstmBackward(int steps, int n, int hidden, Storage w, Storage h0, Storage c0, Storage out,
                                     Storage cs, Storage gates, Storage gOut, Storage gx, Storage gw, Storage gb,
                                     Storage gh0, Storage gc0, Storage dh, Storage dc) {
        String op = "lstmBackward";
        FusedArguments.recurrence(op, steps, n, hidden, 4);
        DType d = gOut.dtype();
        FusedArguments.require(op, "gOut", gOut, d, steps + 1, n, hidden);
        FusedArguments.require(op, "wHh", w, d, 4 * hidden, hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "c0", c0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps + 1, n, hidden);
        FusedArguments.require(op, "cs", cs, d, steps, n, hidden);
        FusedArguments.require(op, "gates", gates, d, steps, n, 4 * hidden);
        FusedArguments.require(op, "gxProj", gx, d, steps, n, 4 * hidden);
        FusedArguments.optional(op, "gw", gw, d, 4 * hidden, hidden);
        FusedArguments.optional(op, "gb", gb, d, 4 * hidden);
        FusedArguments.optional(op, "gh0", gh0, d, n, hidden);
        FusedArguments.optional(op, "gc0", gc0, d, n, hidden);
        FusedArguments.require(op, "dh", dh, d, n, hidden);
        FusedArguments.require(op, "dc", dc, d, n, hidden);
        return runs(n, hidden);
    }

    static boolean checkGruForward(int steps, int n, int hidden, Storage xProj, Storage w, Storage b, Storage h0,
                                   Storage out, Storage gates, Storage hn) {
        String op = "gruForward";
        FusedArguments.recurrence(op, steps, n, hidden, 3);
        DType d = xProj.dtype();
        FusedArguments.require(op, "xProj", xProj, d, steps, n, 3 * hidden);
        FusedArguments.require(op, "wHh", w, d, 3 * hidden, hidden);
        FusedArguments.optional(op, "bHh", b, d, 3 * hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps, n, hidden);
        FusedArguments.require(op, "gates", gates, d, steps, n, 3 * hidden);
        FusedArguments.require(op, "hn", hn, d, steps, n, hidden);
        return runs(n, hidden);
    }

    static boolean checkGruBackward(int steps, int n, int hidden, Storage w, Storage h0, Storage out, Storage gates,
                                    Storage hn, Storage gOut, Storage gx, Storage gp, Storage gw, Storage gb,
                                    Storage gh0, Storage dh) {
        String op = "gruBackward";
        FusedArguments.recurrence(op, steps, n, hidden, 3);
        DType d = gOut.dtype();
        FusedArguments.require(op, "gOut", gOut, d, steps, n, hidden);
        FusedArguments.require(op, "wHh", w, d, 3 * hidden, hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps, n, hidden);
        FusedArguments.require(op, "gates", gates, d, steps, n, 3 * hidden);
        FusedArguments.require(op, "hn", hn, d, steps, n, hidden);
        FusedArguments.require(op, "gxProj", gx, d, steps, n, 3 * hidden);
        FusedArguments.require(op, "gp", gp, d, steps, n, 3 * hidden);
        FusedArguments.optional(op, "gw", gw, d, 3 * hidden, hidden);
        FusedArguments.optional(op, "gb", gb, d, 3 * hidden);
        FusedArguments.optional(op, "gh0", gh0, d, n, hidden);
        FusedArguments.require(op, "dh", dh, d, n, hidden);
        return runs(n, hidden);
    }

    static boolean checkRnnForward(int steps, int n, int hidden, Storage xProj, Storage w, Storage b, Storage h0,
                                   Storage out) {
        String op = "rnnForward";
        FusedArguments.recurrence(op, steps, n, hidden, 1);
        DType d = xProj.dtype();
        FusedArguments.require(op, "xProj", xProj, d, steps, n, hidden);
        FusedArguments.require(op, "wHh", w, d, hidden, hidden);
        FusedArguments.optional(op, "bHh", b, d, hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps, n, hidden);
        return runs(n, hidden);
    }

    static boolean checkRnnBackward(int steps, int n, int hidden, Storage w, Storage h0, Storage out, Storage gOut,
                                    Storage gx, Storage gw, Storage gb, Storage gh0, Storage dh) {
        String op = "rnnBackward";
        FusedArguments.recurrence(op, steps, n, hidden, 1);
        DType d = gOut.dtype();
        FusedArguments.require(op, "gOut", gOut, d, steps, n, hidden);
        FusedArguments.require(op, "wHh", w, d, hidden, hidden);
        FusedArguments.require(op, "h0", h0, d, n, hidden);
        FusedArguments.require(op, "out", out, d, steps, n, hidden);
        FusedArguments.require(op, "gxProj", gx, d, steps, n, hidden);
        FusedArguments.optional(op, "gw", gw, d, hidden, hidden);
        FusedArguments.optional(op, "gb", gb, d, hidden);
        FusedArguments.optional(op, "gh0", gh0, d, n, hidden);
        FusedArguments.require(op, "dh", dh, d, n, hidden);
        return runs(n, hidden);
    }

    // ---------------------------------------------------------------- LSTM

    void lstmForward(int steps, int n, int hidden, boolean reverse, S xProj, S w, S b, S h0, S c0, S out, S cs,
                     S gates) {
        String fn = "lstm_cell_forward_" + k.suffix(xProj);
        int nh = n * hidden;
        int ng = 4 * nh;
        S bias = b == null ? xProj : b;
        int hasBias = b == null ? 0 : 1;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            S hPrev = s == 0 ? h0 : out;
            S cPrev = s == 0 ? c0 : cs;
            int prevOff = previousOffset(s, t, nh, reverse);
            stepProduct(n, 4 * hidden, hidden, hPrev, prevOff, w, gates, t * ng);
            k.launch(fn, nh, n, hidden, gates, t * ng, xProj, bias, hasBias, cPrev, prevOff, cs, out, t * nh);
        }
        k.copy(cs, time(steps - 1, steps, reverse) * nh, out, steps * nh, nh);
    }

    void lstmBackward(int steps, int n, int hidden, boolean reverse, S w, S h0, S c0, S out, S cs, S gates, S gOut,
                      S gx, S gw, S gb, S gh0, S gc0, S dh, S dc) {
        String fn = "lstm_cell_backward_" + k.suffix(gOut);
        int nh = n * hidden;
        int ng = 4 * nh;
        // gOut[T] is the gradient of the final c.
        k.copy(gOut, steps * nh, dc, 0, nh);
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            S cPrev = s == 0 ? c0 : cs;
            // The last processed step has no later step whose product would have written dh.
            int hasDh = s < steps - 1 ? 1 : 0;
            k.launch(fn, nh, n, hidden, gates, t * ng, cPrev, previousOffset(s, t, nh, reverse), cs, gOut,
                    t * nh, dh, hasDh, dc, gx);
            if (s > 0 || gh0 != null) {
                stateGradient(n, 4 * hidden, hidden, gx, t * ng, w, dh, false);
            }
        }
        if (gc0 != null) {
            k.copy(dc, 0, gc0, 0, nh);
        }
        finish(steps, n, hidden, 4 * hidden, reverse, h0, out, gx, dh, gh0, gw, gb);
    }

    // ---------------------------------------------------------------- GRU

    void gruForward(int steps, int n, int hidden, boolean reverse, S xProj, S w, S b, S h0, S out, S gates, S hn) {
        String fn = "gru_cell_forward_" + k.suffix(xProj);
        int nh = n * hidden;
        S bias = b == null ? xProj : b;
        int hasBias = b == null ? 0 : 1;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            S hPrev = s == 0 ? h0 : out;
            int prevOff = previousOffset(s, t, nh, reverse);
            stepProduct(n, 3 * hidden, hidden, hPrev, prevOff, w, gates, 3 * t * nh);
            k.launch(fn, nh, n, hidden, gates, 3 * t * nh, xProj, bias, hasBias, hPrev, prevOff, hn, out,
                    t * nh);
        }
    }

    void gruBackward(int steps, int n, int hidden, boolean reverse, S w, S h0, S out, S gates, S hn, S gOut, S gx,
                     S gp, S gw, S gb, S gh0, S dh) {
        String fn = "gru_cell_backward_" + k.suffix(gOut);
        int nh = n * hidden;
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            S hPrev = s == 0 ? h0 : out;
            int hasDh = s < steps - 1 ? 1 : 0;
            // The kernel leaves in dh the direct part gh z of the gradient of h'; the product adds gp W_hh.
            k.launch(fn, nh, n, hidden, gates, 3 * t * nh, hn, hPrev, previousOffset(s, t, nh, reverse), gOut,
                    t * nh, dh, hasDh, gx, gp);
            if (s > 0 || gh0 != null) {
                stateGradient(n, 3 * hidden, hidden, gp, 3 * t * nh, w, dh, true);
            }
        }
        finish(steps, n, hidden, 3 * hidden, reverse, h0, out, gp, dh, gh0, gw, gb);
    }

    // ---------------------------------------------------------------- Elman RNN

    void rnnForward(int steps, int n, int hidden, boolean reverse, boolean relu, S xProj, S w, S b, S h0, S out) {
        String fn = "rnn_cell_forward_" + k.suffix(xProj);
        int nh = n * hidden;
        S bias = b == null ? xProj : b;
        int hasBias = b == null ? 0 : 1;
        for (int s = 0; s < steps; s++) {
            int t = time(s, steps, reverse);
            // The product goes straight into the step's output rows, which the kernel activates in place.
            stepProduct(n, hidden, hidden, s == 0 ? h0 : out, previousOffset(s, t, nh, reverse), w, out, t * nh);
            k.launch(fn, nh, n, hidden, relu ? 1 : 0, out, t * nh, xProj, bias, hasBias);
        }
    }

    void rnnBackward(int steps, int n, int hidden, boolean reverse, boolean relu, S w, S h0, S out, S gOut, S gx,
                     S gw, S gb, S gh0, S dh) {
        String fn = "rnn_cell_backward_" + k.suffix(gOut);
        int nh = n * hidden;
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s, steps, reverse);
            int hasDh = s < steps - 1 ? 1 : 0;
            k.launch(fn, nh, nh, relu ? 1 : 0, out, t * nh, gOut, dh, hasDh, gx);
            if (s > 0 || gh0 != null) {
                stateGradient(n, hidden, hidden, gx, t * nh, w, dh, false);
            }
        }
        finish(steps, n, hidden, hidden, reverse, h0, out, gx, dh, gh0, gw, gb);
    }
}
