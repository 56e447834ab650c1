package org.trainer.core.backend.cpu;

import org.trainer.core.backend.ConvGeometry;

/**
 * Convolution layout kernels and pooling over [N, C, H, W] storages. Columns are laid out
 * [C*KH*KW, N*OH*OW] so that a whole batch convolves in one matrix product.
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /** First output column ow whose input column ow*s - pad + off is >= 0. */
    static int firstValid(int off, int pad, int s) {
        int need = pad - off;
        return need <= 0 ? 0 : (need + s - 1) / s;
    }

    /** One past the last output column whose input column is < size. */
    static int endValid(int off, int pad, int s, int size, int out) {
        int lim = size - 1 + pad - off;
        return lim < 0 ? 0 : Math.min(out, lim / s + 1);
    }

    static void im2col(CpuStorage x, ConvGeometry g, CpuStorage col) {
        walk(x, g, col, false);
    }

    static void col2im(CpuStorage col, ConvGeometry g, CpuStorage gx) {
        Runs.zero(gx, 0, gx.size());
        walk(gx, g, col, true);
    }

    /**
     * Visits every (column row, image, output row) run of the unfolding. Forward copies input runs
     * into columns (zeros where the window hangs over the padding); the adjoint adds them back.
     *
     * <p>Each column row is walked from start to end (image by image, output row by output row), so
     * the large column matrix streams through memory once: walking image by image instead jumps a
     * whole column row (N*OH*OW floats, often more than a page) between runs of a few floats. Work is
     * split by column rows forward, and by input channel for the adjoint (every row of a channel
     * adds into that channel alone), or by image when there are fewer channels than threads. Either
     * way each input element receives its contributions in the same order (column row, then image,
     * then output row), so the result does not depend on the split.
     */
    private static void walk(CpuStorage img, ConvGeometry g, CpuStorage col, boolean adjoint) {
        int kk = g.kh() * g.kw();
        if (!adjoint) {
            Parallel.forRange(g.c() * kk, 1, (r0, r1) -> walkRows(img, g, col, false, r0, r1, 0, g.n()));
        } else if (g.c() >= Parallel.threads()) {
            Parallel.forRange(g.c(), 1, (c0, c1) -> walkRows(img, g, col, true, c0 * kk, c1 * kk, 0, g.n()));
        } else {
            Parallel.forRange(g.n(), 1, (n0, n1) -> walkRows(img, g, col, true, 0, g.c() * kk, n0, n1));
        }
    }

    /** The runs of column rows [r0, r1) for images [n0, n1). */
    private static void walkRows(CpuStorage img, ConvGeometry g, CpuStorage col, boolean adjoint,
                                 int r0, int r1, int n0, int n1) {
        int oh = g.outH();
        int ow = g.outW();
        int cols = g.n() * oh * ow;
        int kk = g.kh() * g.kw();
        for (int r = r0; r < r1; r++) {
            int c = r / kk;
            int ki = (r % kk) / g.kw();
            int kj = r % g.kw();
            int offH = ki * g.dilH();
            int offW = kj * g.dilW();
            int lo = firstValid(offW, g.padW(), g.strideW());
            int hi = Math.max(lo, endValid(offW, g.padW(), g.strideW(), g.w(), ow));
            for (int n = n0; n < n1; n++) {
                for (int y = 0; y < oh; y++) {
                    int dst = r * cols + (n * oh + y) * ow;
                    int ih = y * g.strideH() - g.padH() + offH;
                    if (ih < 0 || ih >= g.h()) {
                        if (!adjoint) {
                            Runs.zero(col, dst, ow);
                        }
                        continue;
                    }
                    int src = ((n * g.c() + c) * g.h() + ih) * g.w() + lo * g.strideW() - g.padW() + offW;
                    if (adjoint) {
                        Runs.add(col, dst + lo, 1, img, src, g.strideW(), hi - lo);
                    } else {
                        if (lo > 0) {
                            Runs.zero(col, dst, lo);
                        }
                        if (hi > lo) {
                            Runs.copy(img, src, g.strideW(), col, dst + lo, 1, hi - lo);
                        }
                        if (hi < ow) {
                            Runs.zero(col, dst + hi, ow - hi);
                        }
                    }
                }
            }
        }
    }

    static void maxPool(CpuStorage x, ConvGeometry g, CpuStorage y, CpuStorage argmax) {
        int oh = g.outH();
        int ow = g.outW();
        if (x.f != null) {
            maxPoolFloat(x.f, g, y.f, argmax.i);
            return;
        }
        Parallel.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int in = p * g.h() * g.w();
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int arg = -1;
                        window:
                        for (int a = 0; a < g.kh(); a++) {
                            int ih = i * g.strideH() - g.padH() + a * g.dilH();
                            if (ih < 0 || ih >= g.h()) {
                                continue;
                            }
                            for (int b = 0; b < g.kw(); b++) {
                                int iw = j * g.strideW() - g.padW() + b * g.dilW();
                                if (iw < 0 || iw >= g.w()) {
                                    continue;
                                }
                                double v = x.get(in + ih * g.w() + iw);
                                if (arg < 0 || v > best || Double.isNaN(v)) {
                                    best = v;
                                    arg = ih * g.w() + iw;
                                    if (Double.isNaN(v)) {
                                        break window;
                                    }
                                }
                            }
                        }
                        int q = (p * oh + i) * ow + j;
                        y.set(q, best);
                        argmax.i[q] = arg;
                    }
                }
            }
        });
    }

    /**
     * float32 max pooling: the first maximum in window order wins, and the first NaN wins over
     * numbers, as in the general path; cells in the padding are skipped. No branch depends on the
     * data: after a ReLU half of the values are equal zeros, and a branch on each comparison was
     * mispredicted about as often as it was taken (2 x 2 pooling of [64, 32, 24, 24] took 5.0 ms on
     * one core). 2 x 2 windows inside the input compare two pairs and then the pairs' maxima with
     * {@link Math#max} and conditional indices (0.93 ms); other windows keep the largest of an int key
     * that orders the floats as they compare (3 x 3 by 2: 8.2 -> 6.6 ms, with padding 1: 12.9 -> 8.3
     * ms). A window holding a NaN goes to {@link #firstNaN}.
     */
    private static void maxPoolFloat(float[] x, ConvGeometry g, float[] y, int[] argmax) {
        int oh = g.outH();
        int ow = g.outW();
        boolean pairs = g.kh() == 2 && g.kw() == 2 && g.padH() == 0 && g.padW() == 0 && g.dilH() == 1
                && g.dilW() == 1;
        Parallel.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int in = p * g.h() * g.w();
                for (int i = 0; i < oh; i++) {
                    if (pairs) {
                        maxPoolRow2x2(x, in, g, i, y, argmax, (p * oh + i) * ow);
                    } else {
                        maxPoolRow(x, in, g, i, y, argmax, (p * oh + i) * ow);
                    }
                }
            }
        });
    }

    /**
     * One output row i of one plane (input from {@code x[in]}), written from {@code y[q0]} and
     * {@code argmax[q0]}. Window taps [a0, a1) x [b0, b1) lie inside the input.
     */
    private static void maxPoolRow(float[] x, int in, ConvGeometry g, int i, float[] y, int[] argmax, int q0) {
        int w = g.w();
        int dh = g.dilH();
        int dw = g.dilW();
        int top = i * g.strideH() - g.padH();
        int a0 = firstTap(top, dh);
        int a1 = endTap(top, dh, g.kh(), g.h());
        for (int j = 0; j < g.outW(); j++) {
            int left = j * g.strideW() - g.padW();
            int b0 = firstTap(left, dw);
            int b1 = endTap(left, dw, g.kw(), w);
            int first = (top + a0 * dh) * w + left + b0 * dw;
            int bits = Float.floatToRawIntBits(x[in + first] + 0f);
            int best = orderKey(bits);
            int nan = nanSign(bits);
            int arg = first;
            for (int a = a0; a < a1; a++) {
                for (int b = a == a0 ? b0 + 1 : b0; b < b1; b++) {
                    int rel = (top + a * dh) * w + left + b * dw;
                    bits = Float.floatToRawIntBits(x[in + rel] + 0f);
                    int key = orderKey(bits);
                    nan |= nanSign(bits);
                    arg = key > best ? rel : arg;
                    best = Math.max(best, key);
                }
            }
            if (nan < 0) {
                arg = firstNaN(x, in, g, top, a0, a1, left, b0, b1);
            }
            y[q0 + j] = x[in + arg];
            argmax[q0 + j] = arg;
        }
    }

    /**
     * An int that orders non-NaN floats as the floats compare, from the bits of a float that is not
     * -0 (adding 0f turns -0 into 0, which compares equal to it): negatives have their magnitude bits
     * flipped, so that a larger magnitude gives a smaller int.
     */
    private static int orderKey(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Negative exactly when {@code bits} are a NaN's. */
    private static int nanSign(int bits) {
        return 0x7f800000 - (bits & 0x7fffffff);
    }

    /** The first tap a >= 0 of a window starting at {@code start} (stepping {@code dil}) inside the input. */
    private static int firstTap(int start, int dil) {
        return start >= 0 ? 0 : (-start + dil - 1) / dil;
    }

    /** One past the last tap a < k of a window starting at {@code start} with start + a*dil < size. */
    private static int endTap(int start, int dil, int k, int size) {
        return start >= size ? 0 : Math.min(k, (size - 1 - start) / dil + 1);
    }

    /** {@link #maxPoolRow} for 2 x 2 windows inside the input: the first maximum of each pair, then the first of the two. */
    private static void maxPoolRow2x2(float[] x, int in, ConvGeometry g, int i, float[] y, int[] argmax, int q0) {
        int w = g.w();
        int sw = g.strideW();
        int top = i * g.strideH() * w;
        for (int j = 0; j < g.outW(); j++) {
            int r0 = top + j * sw;
            int r1 = r0 + w;
            float x0 = x[in + r0];
            float x1 = x[in + r0 + 1];
            float x2 = x[in + r1];
            float x3 = x[in + r1 + 1];
            float m0 = Math.max(x0, x1);
            float m1 = Math.max(x2, x3);
            int a0 = x1 > x0 ? r0 + 1 : r0;
            int a1 = x3 > x2 ? r1 + 1 : r1;
            int arg = m1 > m0 ? a1 : a0;
            float max = Math.max(m0, m1);
            if (max != max) {
                arg = firstNaN(x, in, g, i * g.strideH(), 0, 2, j * sw, 0, 2);
            }
            y[q0 + j] = x[in + arg];
            argmax[q0 + j] = arg;
        }
    }

    /**
     * The first NaN of a window that holds one (its maximum was NaN), at rows {@code top + a*dilH}
     * for a in [a0, a1) and columns {@code left + b*dilW} for b in [b0, b1), as an index relative to
     * {@code in}: the slow path of {@link #maxPoolRow}.
     */
    private static int firstNaN(float[] x, int in, ConvGeometry g, int top, int a0, int a1, int left, int b0,
                                int b1) {
        for (int a = a0; a < a1; a++) {
            for (int b = b0; b < b1; b++) {
                int rel = (top + a * g.dilH()) * g.w() + left + b * g.dilW();
                if (Float.isNaN(x[in + rel])) {
                    return rel;
                }
            }
        }
        throw new IllegalStateException("max pooling: a window whose maximum is NaN holds no NaN");
    }

    /**
     * Average pooling with padded cells counted in the divisor. Forward: dst = mean of src windows.
     * Adjoint ({@code adjoint}): src[window] += dst / (kh*kw), src already zeroed.
     */
    static void avgPool(CpuStorage src, ConvGeometry g, CpuStorage dst, boolean adjoint) {
        int oh = g.outH();
        int ow = g.outW();
        double inv = 1.0 / (g.kh() * g.kw());
        Parallel.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int in = p * g.h() * g.w();
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int q = (p * oh + i) * ow + j;
                        double s = 0;
                        double share = adjoint ? dst.get(q) * inv : 0;
                        for (int a = 0; a < g.kh(); a++) {
                            int ih = i * g.strideH() - g.padH() + a;
                            if (ih < 0 || ih >= g.h()) {
                                continue;
                            }
                            for (int b = 0; b < g.kw(); b++) {
                                int iw = j * g.strideW() - g.padW() + b;
                                if (iw < 0 || iw >= g.w()) {
                                    continue;
                                }
                                int t = in + ih * g.w() + iw;
                                if (adjoint) {
                                    src.set(t, src.get(t) + share);
                                } else {
                                    s += src.get(t);
                                }
                            }
                        }
                        if (!adjoint) {
                            dst.set(q, s * inv);
                        }
                    }
                }
            }
        });
    }
}
