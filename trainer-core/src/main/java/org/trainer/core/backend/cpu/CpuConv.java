package org.trainer.core.backend.cpu;

import org.trainer.core.backend.ConvGeometry;

/**
 * float32 2-D convolution one image at a time, so that each image's columns live in a small
 * per-thread buffer that stays in cache instead of a [C*KH*KW, N*OH*OW] matrix in memory.
 *
 * <p>Forward, per image n: {@code col = im2col(x[n])} [C*KH*KW, OH*OW], then
 * {@code y[n] = W col + bias}, written straight into y's [N, OC, OH*OW] layout (no permutation);
 * W (and W^T for the input gradient) is packed for the micro-kernel once per call, not per image.
 * Backward, per image: {@code dcol = W^T gy[n]}, {@code gx[n] = col2im(dcol)};
 * {@code gw += gy[n] col^T} and {@code gb += sum of gy[n]} over the images. The batch is split over
 * threads by image; the weight and bias gradients are summed per group of images (groups fixed by
 * N alone), then the groups in order, so results do not depend on the thread count.
 *
 * <p>When C = gy col^T is small next to its depth (few input channels, e.g. a first layer), the
 * images of a group are unfolded side by side and the whole group is one segmented call of the
 * dot-product kernel, which reads gy and the columns in place, and with a row of ones under the
 * columns also yields the bias gradient. With more taps and no padding, the weight gradient skips
 * the unfolding altogether: {@link DirectConv} gathers the image in place, over all the pixels of
 * the group at once.
 *
 * <p>At height stride 1 with the Vector API, the forward and the input gradient unfold nothing:
 * {@link WindowConv} computes them as a direct convolution over a row-shifted copy of each image
 * (and its adjoint), and the unfolding path above serves the other shapes.
 */
final class CpuConv {
    /** Groups of images for the weight and bias gradients (fewer when N or memory is smaller). */
    static final int GROUPS = 8;
    /**
     * Most floats of per-group partial gradients (16 MiB) the calling thread keeps; a layer whose
     * weight is larger gets fewer groups (still a function of the shapes alone).
     */
    private static final long PARTIALS_MAX = 1 << 22;
    /** Most floats of unfolded columns a group's dot-product call holds at once. */
    private static final int GROUP_COLUMNS_MAX = 1 << 18;

    /**
     * Fewest taps (C*KH*KW) for which the weight gradient reads the image in place
     * ({@link DirectConv}) instead of unfolding it. With one input channel and 5x5 (25 taps) the
     * segmented dot-product path was as fast or faster (medians 4.7 vs 3.5 ms but minima 3.0 vs 3.4
     * ms for conv 1x28x28->32 on a loaded machine), so it keeps that path.
     */
    static final int DIRECT_MIN_TAPS = 64;
    /** Per-thread unfolding buffers, grown on demand. */
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);
    /** The calling thread's per-group partial weight gradients, grown on demand. */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

    private CpuConv() {
    }

    /** y [N, OC, OH, OW] = x [N, C, H, W] convolved with w [OC, C, KH, KW], plus bias [OC] when not null. */
    static void forward(float[] x, float[] w, float[] bias, ConvGeometry g, int oc, float[] y) {
        ConvRowKernel direct = WindowConv.kernel(g);
        if (direct != null) {
            WindowConv.forward(direct, x, w, bias, g, oc, y);
            return;
        }
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        SgemmKernel kernel = Sgemm.kernel();
        float[] packedW = SgemmDriver.packAll(kernel, false, oc, ckk, w, 0);
        Parallel.forRange(g.n(), 1, (n0, n1) -> {
            float[] col = buffer(0, ckk * hw);
            for (int n = n0; n < n1; n++) {
                im2colImage(x, g, n, col, 0);
                int out = n * oc * hw;
                SgemmDriver.run(kernel, false, false, oc, hw, ckk, w, 0, packedW, col, 0, y, out, false, 0, oc, 0, hw);
                if (bias != null) {
                    for (int o = 0; o < oc; o++) {
                        float b = bias[o];
                        int row = out + o * hw;
                        for (int s = 0; s < hw; s++) {
                            y[row + s] += b;
                        }
                    }
                }
            }
        });
    }

    /**
     * From gy [N, OC, OH, OW], overwrites gx [N, C, H, W], gw [OC, C, KH, KW] and gb [OC]; a null
     * one is not computed.
     */
    static void backward(float[] x, float[] w, float[] gy, ConvGeometry g, int oc, float[] gx, float[] gw,
                         float[] gb) {
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        int imageSize = g.c() * g.h() * g.w();
        ConvRowKernel direct = WindowConv.kernel(g);
        if (gx != null && direct != null) {
            WindowConv.inputGradient(direct, gy, w, g, oc, gx);
        } else if (gx != null) {
            SgemmKernel kernel = Sgemm.kernel();
            float[] packedWt = SgemmDriver.packAll(kernel, true, ckk, oc, w, 0);
            Parallel.forRange(g.n(), 1, (n0, n1) -> {
                float[] dcol = buffer(1, ckk * hw);
                for (int n = n0; n < n1; n++) {
                    SgemmDriver.run(kernel, true, false, ckk, hw, oc, w, 0, packedWt, gy, n * oc * hw, dcol, 0, false,
                            0, ckk, 0, hw);
                    java.util.Arrays.fill(gx, n * imageSize, (n + 1) * imageSize, 0f);
                    col2imImage(dcol, g, n, gx);
                }
            });
        }
        if (gw == null && gb == null) {
            return;
        }
        int wSize = oc * ckk;
        int groups = (int) Math.max(1, Math.min(Math.min(GROUPS, g.n()), PARTIALS_MAX / (wSize + oc)));
        float[] partials = PARTIALS.get();
        if (partials.length < groups * (wSize + oc)) {
            partials = new float[groups * (wSize + oc)];
            PARTIALS.set(partials);
        }
        float[] part = partials;
        int biasBase = groups * wSize;
        Parallel.forRange(groups, 1, (g0, g1) -> {
            for (int grp = g0; grp < g1; grp++) {
                int first = (int) ((long) g.n() * grp / groups);
                int end = (int) ((long) g.n() * (grp + 1) / groups);
                boolean biasDone = false;
                if (gw != null) {
                    biasDone = weightGradient(x, gy, g, oc, first, end, part, grp * wSize,
                            gb != null ? biasBase + grp * oc : -1);
                }
                if (gb != null && !biasDone) {
                    for (int o = 0; o < oc; o++) {
                        double s = 0;
                        for (int n = first; n < end; n++) {
                            s += FloatKernels.sum(gy, (n * oc + o) * hw, hw);
                        }
                        part[biasBase + grp * oc + o] = (float) s;
                    }
                }
            }
        });
        if (gw != null) {
            sumGroups(part, 0, groups, wSize, gw);
        }
        if (gb != null) {
            sumGroups(part, biasBase, groups, oc, gb);
        }
    }

    /** Overwrites {@code dst[e]} with the sum over groups, in order, of {@code part[base + grp*size + e]}. */
    private static void sumGroups(float[] part, int base, int groups, int size, float[] dst) {
        Parallel.forRange(size, 4096, (e0, e1) -> {
            for (int e = e0; e < e1; e++) {
                float s = part[base + e];
                for (int grp = 1; grp < groups; grp++) {
                    s += part[base + grp * size + e];
                }
                dst[e] = s;
            }
        });
    }

    /**
     * Overwrites {@code dst[off ..]} [OC, C*KH*KW] with the weight gradient of images [first, end).
     * When {@code biasOff >= 0} and the dot-product kernel is used, the bias gradient of those images
     * is computed alongside, as the product with an extra row of ones, into {@code dst[biasOff ..]}
     * [OC]: gy is then read once for both. Returns whether it wrote the bias gradient.
     */
    private static boolean weightGradient(float[] x, float[] gy, ConvGeometry g, int oc, int first, int end,
                                          float[] dst, int off, int biasOff) {
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        ConvTileKernel direct = DirectConv.kernel(g, DIRECT_MIN_TAPS);
        if (direct != null) {
            DirectConv.weightGradient(direct, x, gy, g, oc, first, end, dst, off);
            return false;
        }
        SgemmDotKernel dot = Sgemm.dotKernel();
        int images = end - first;
        int perCall = Math.max(1, Math.min(images, GROUP_COLUMNS_MAX / Math.max(1, ckk * hw)));
        if (dot != null && Sgemm.prefersDot(false, true, oc, ckk, perCall * hw)) {
            boolean bias = biasOff >= 0;
            int rows = bias ? ckk + 1 : ckk;
            float[] cols = buffer(0, perCall * rows * hw);
            float[] prod = buffer(1, oc * rows);
            if (bias) {
                for (int i = 0; i < perCall; i++) {
                    java.util.Arrays.fill(cols, (i * rows + ckk) * hw, (i + 1) * rows * hw, 1f);
                }
            }
            for (int n0 = first; n0 < end; n0 += perCall) {
                int count = Math.min(perCall, end - n0);
                for (int i = 0; i < count; i++) {
                    im2colImage(x, g, n0 + i, cols, i * rows * hw);
                }
                dot.run(oc, rows, hw, count, gy, n0 * oc * hw, hw, oc * hw, cols, 0, hw, rows * hw, prod, 0, rows,
                        n0 > first, 0, oc, 0, rows);
            }
            for (int o = 0; o < oc; o++) {
                System.arraycopy(prod, o * rows, dst, off + o * ckk, ckk);
                if (bias) {
                    dst[biasOff + o] = prod[o * rows + ckk];
                }
            }
            return bias;
        }
        float[] col = buffer(0, ckk * hw);
        for (int n = first; n < end; n++) {
            im2colImage(x, g, n, col, 0);
            Sgemm.gemmSerial(false, true, oc, ckk, hw, gy, n * oc * hw, col, 0, dst, off, n > first);
        }
        return false;
    }

    /**
     * {@link #col2imImage} when every window lies inside the image at stride 1 (no padding, no
     * dilation): no bounds to check, so each run is a bare loop (measured 1.6x faster for a 12x12
     * image and a 5x5 kernel, whose runs are 8 floats). Unfolding the same way was slower than
     * {@link #walkImage}'s {@code System.arraycopy} runs, and one method doing both slowed both.
     */
    private static void foldDense(float[] img, ConvGeometry g, int n, float[] col) {
        int oh = g.outH();
        int ow = g.outW();
        int w = g.w();
        int r = 0;
        for (int c = 0; c < g.c(); c++) {
            int plane = (n * g.c() + c) * g.h() * w;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, r++) {
                    int src = plane + ki * w + kj;
                    int dst = r * oh * ow;
                    for (int y = 0; y < oh; y++, src += w, dst += ow) {
                        for (int j = 0; j < ow; j++) {
                            img[src + j] += col[dst + j];
                        }
                    }
                }
            }
        }
    }

    /** The calling thread's buffer {@code which}, at least {@code size} floats. */
    private static float[] buffer(int which, int size) {
        float[][] buffers = BUFFERS.get();
        if (buffers[which].length < size) {
            buffers[which] = new float[size];
        }
        return buffers[which];
    }

    /**
     * Unfolds image n of x into {@code col[off + r*OH*OW + y*OW + j]} for column rows r < C*KH*KW
     * (zeros where the window hangs over the padding).
     */
    static void im2colImage(float[] x, ConvGeometry g, int n, float[] col, int off) {
        walkImage(x, g, n, col, off, false);
    }

    /** Adjoint of {@link #im2colImage} with off = 0: adds the columns back into image n of gx. */
    static void col2imImage(float[] col, ConvGeometry g, int n, float[] gx) {
        walkImage(gx, g, n, col, 0, true);
    }

    private static void walkImage(float[] img, ConvGeometry g, int n, float[] col, int off, boolean adjoint) {
        if (adjoint && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0 && g.dilH() == 1
                && g.dilW() == 1) {
            foldDense(img, g, n, col);
            return;
        }
        int oh = g.outH();
        int ow = g.outW();
        int hw = oh * ow;
        int kk = g.kh() * g.kw();
        int sw = g.strideW();
        for (int r = 0; r < g.c() * kk; r++) {
            int c = r / kk;
            int ki = (r % kk) / g.kw();
            int kj = r % g.kw();
            int offH = ki * g.dilH();
            int offW = kj * g.dilW();
            int lo = ConvKernels.firstValid(offW, g.padW(), sw);
            int hi = Math.max(lo, ConvKernels.endValid(offW, g.padW(), sw, g.w(), ow));
            int plane = (n * g.c() + c) * g.h();
            for (int y = 0; y < oh; y++) {
                int dst = off + r * hw + y * ow;
                int ih = y * g.strideH() - g.padH() + offH;
                if (ih < 0 || ih >= g.h()) {
                    if (!adjoint) {
                        java.util.Arrays.fill(col, dst, dst + ow, 0f);
                    }
                    continue;
                }
                int src = (plane + ih) * g.w() + lo * sw - g.padW() + offW;
                if (adjoint) {
                    if (sw == 1) {
                        // Plain loops on purpose: a 256-bit Vector API version was 2x faster here,
                        // but a second vector species in the process made C2 fail, in some runs,
                        // to intrinsify the SGEMM kernel's stores (conv steps 10x slower).
                        int shift = src - lo;
                        for (int j = lo; j < hi; j++) {
                            img[shift + j] += col[dst + j];
                        }
                    } else {
                        for (int j = lo; j < hi; j++) {
                            img[src + (j - lo) * sw] += col[dst + j];
                        }
                    }
                } else {
                    for (int j = 0; j < lo; j++) {
                        col[dst + j] = 0f;
                    }
                    if (sw == 1) {
                        System.arraycopy(img, src, col, dst + lo, hi - lo);
                    } else {
                        for (int j = lo; j < hi; j++) {
                            col[dst + j] = img[src + (j - lo) * sw];
                        }
                    }
                    for (int j = hi; j < ow; j++) {
                        col[dst + j] = 0f;
                    }
                }
            }
        }
    }
}
