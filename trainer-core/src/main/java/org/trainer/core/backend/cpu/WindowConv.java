package org.trainer.core.backend.cpu;

import org.trainer.core.backend.ConvGeometry;

/**
 * Direct float32 convolution forward and input gradient, vectorised along the output pixels, for stride 1 along the
 * height (any width stride, padding and dilation). Per image it first writes a row-shifted copy
 * {@code xs[c, b, i, ox] = x[c, i - pH, ox*sW - pW + b*dW]} (zero outside the image), for the KW
 * window columns b and the H + 2 pH padded rows i: KW*(H + 2pH)*OW floats per channel, against
 * KH*KW*OH*OW for unfolded columns (480 against 1600 for a 5x5 window on a 12x12 image). Tap
 * r = (c, a, b) of output pixel p = (oy, ox) then reads
 * {@code xs[((c*KW + b)*(H + 2pH) + a*dH)*OW + p]}: a run of consecutive floats over p, because
 * the rows oy + a*dH of a tap follow each other at the same OW stride as the output's. So
 * {@code y[n, o, p] = bias[o] + sum_r xs[taps[r] + p] w[o, r]} is a product of the packed weights
 * with that copy read in place, which a {@link ConvRowKernel} computes a register tile at a time
 * and stores as vectors into y's [OC, OH*OW] planes.
 *
 * <p>The input gradient is the adjoint of that product ({@link #inputGradient}): no columns
 * [C*KH*KW, OH*OW] are written and folded back, only the row-shifted layout.
 *
 * <p>The batch is split over threads by image; every element is summed over r = (c, a, b) in
 * order, so results do not depend on the thread count.
 */
final class WindowConv {
    /** Per thread: the row-shifted copy, the tap offsets and a tile; grown on demand. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private WindowConv() {
    }

    private static final class Scratch {
        float[] xs = new float[0];
        int[] taps = new int[0];
        float[] out = new float[0];
        float[] gy = new float[0];
        int[] offs = new int[0];

        float[] gy(int size) {
            if (gy.length < size) {
                gy = new float[size];
            }
            return gy;
        }

        int[] offs(int size) {
            if (offs.length < size) {
                offs = new int[size];
            }
            return offs;
        }
    }

    /** Loads the vector kernel lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Kernels {
        static final ConvRowKernel VECTOR = select();

        private static ConvRowKernel select() {
            return VectorSupport.load(ConvRowKernel.class, "VectorConvRow", true, "conv2d unfolds columns");
        }
    }

    /**
     * The kernel for this geometry, or null when the unfolding path should run: without the Vector
     * API or vectors of 16 floats (or with the portable kernel forced), or at a height stride other
     * than 1.
     */
    static ConvRowKernel kernel(ConvGeometry g) {
        return Sgemm.dotKernel() == null || g.strideH() != 1 ? null : Kernels.VECTOR;
    }

    /**
     * Overwrites y [N, OC, OH, OW] with x [N, C, H, W] convolved with w [OC, C, KH, KW], plus bias [OC]
     * when not null, as in the type's Javadoc; only where {@link #kernel} is not null.
     */
    static void forward(ConvRowKernel kernel, float[] x, float[] w, float[] bias, ConvGeometry g, int oc,
                        float[] y) {
        int mr = kernel.mr();
        int taps = g.c() * g.kh() * g.kw();
        int rows = g.h() + 2 * g.padH();
        int plane = g.outH() * g.outW();
        int shiftedSize = g.c() * g.kw() * rows * g.outW() + kernel.pixels();
        float[] packed = pack(mr, oc, taps, w);
        int imageSize = g.c() * g.h() * g.w();
        Parallel.forRange(g.n(), 1, (n0, n1) -> {
            Scratch s = scratch(shiftedSize, taps, mr * kernel.pixels());
            tapOffsets(g, rows, s.taps);
            for (int n = n0; n < n1; n++) {
                shift(x, n * imageSize, g, rows, s.xs);
                int out = n * oc * plane;
                for (int o0 = 0; o0 < oc; o0 += mr) {
                    int channels = Math.min(mr, oc - o0);
                    for (int p0 = 0; p0 < plane; p0 += kernel.pixels()) {
                        kernel.tile(taps, s.xs, s.taps, p0, packed, o0 * taps, bias, o0, channels,
                                Math.min(kernel.pixels(), plane - p0), y, out + o0 * plane + p0, plane, s.out);
                    }
                }
            }
        });
    }

    /**
     * Overwrites gx [N, C, H, W] with the input gradient for gy [N, OC, OH, OW] and w [OC, C, KH, KW],
     * the adjoint of {@link #forward}: per image, {@code dxs[taps[r] + p] += sum_o w[o, r] gy[o, p]}
     * for every tap r (a register tile of 6 taps x 2 vectors of pixels at a time, added into the
     * row-shifted layout, where a tile's pixels are consecutive), then each row of dxs is added
     * back into the image where {@link #forward}'s copy took it from. Only where {@link #kernel}
     * is not null.
     */
    static void inputGradient(ConvRowKernel kernel, float[] gy, float[] w, ConvGeometry g, int oc, float[] gx) {
        int mr = kernel.mr();
        int taps = g.c() * g.kh() * g.kw();
        int rows = g.h() + 2 * g.padH();
        int plane = g.outH() * g.outW();
        int stride = (plane + kernel.pixels() - 1) / kernel.pixels() * kernel.pixels();
        int shiftedSize = g.c() * g.kw() * rows * g.outW();
        float[] packed = packTransposed(mr, oc, taps, w);
        int imageSize = g.c() * g.h() * g.w();
        Parallel.forRange(g.n(), 1, (n0, n1) -> {
            Scratch s = scratch(shiftedSize, taps, mr * kernel.pixels());
            float[] padded = s.gy(oc * stride);
            int[] offs = s.offs(oc);
            for (int o = 0; o < oc; o++) {
                offs[o] = o * stride;
            }
            tapOffsets(g, rows, s.taps);
            for (int n = n0; n < n1; n++) {
                for (int o = 0; o < oc; o++) {
                    System.arraycopy(gy, (n * oc + o) * plane, padded, o * stride, plane);
                }
                java.util.Arrays.fill(s.xs, 0, shiftedSize, 0f);
                for (int r0 = 0; r0 < taps; r0 += mr) {
                    for (int p0 = 0; p0 < plane; p0 += kernel.pixels()) {
                        kernel.tileAdjoint(oc, padded, offs, p0, packed, r0 * oc, r0, Math.min(mr, taps - r0),
                                Math.min(kernel.pixels(), plane - p0), s.xs, s.taps, s.out);
                    }
                }
                java.util.Arrays.fill(gx, n * imageSize, (n + 1) * imageSize, 0f);
                unshift(s.xs, g, rows, gx, n * imageSize);
            }
        });
    }

    /**
     * The tail of {@link ConvRowKernel#tileAdjoint}: {@code xs[taps[r0 + j] + p0 + p] += out[j*stride + p]}
     * for j &lt; rows and p &lt; count, j in order.
     */
    static void addPartial(float[] out, int stride, int r0, int rows, int count, float[] xs, int[] taps, int p0) {
        for (int j = 0; j < rows; j++) {
            int at = taps[r0 + j] + p0;
            for (int p = 0; p < count; p++) {
                xs[at + p] += out[j * stride + p];
            }
        }
    }

    /** The adjoint of {@link #shift}: adds each row of the row-shifted layout back into the image at gx[off ..]. */
    private static void unshift(float[] xs, ConvGeometry g, int rows, float[] gx, int off) {
        int ow = g.outW();
        int sw = g.strideW();
        int d = 0;
        for (int c = 0; c < g.c(); c++) {
            for (int b = 0; b < g.kw(); b++) {
                int offW = b * g.dilW() - g.padW();
                int lo = Math.min(ow, ConvKernels.firstValid(b * g.dilW(), g.padW(), sw));
                int hi = Math.max(lo, ConvKernels.endValid(b * g.dilW(), g.padW(), sw, g.w(), ow));
                for (int i = 0; i < rows; i++, d += ow) {
                    int ih = i - g.padH();
                    if (ih < 0 || ih >= g.h()) {
                        continue;
                    }
                    int dst = off + (c * g.h() + ih) * g.w() + offW;
                    for (int j = lo; j < hi; j++) {
                        gx[dst + j * sw] += xs[d + j];
                    }
                }
            }
        }
    }

    /**
     * Packs w [OC, taps] into panels of mr taps, output-channel-major:
     * {@code packed[r0*OC + o*mr + j] = w[o, r0 + j]} for panel r0 (zero past the last tap).
     */
    private static float[] packTransposed(int mr, int oc, int taps, float[] w) {
        int panels = (taps + mr - 1) / mr;
        float[] packed = new float[panels * mr * oc];
        for (int r = 0; r < taps; r++) {
            int r0 = r - r % mr;
            for (int o = 0; o < oc; o++) {
                packed[r0 * oc + o * mr + r - r0] = w[o * taps + r];
            }
        }
        return packed;
    }

    /**
     * The tail of {@link ConvRowKernel#tile}: {@code y[yOff + j*planeSize + p] = out[j*stride + p] + bias[o0 + j]}
     * for j &lt; channels and p &lt; count (bias 0 when null).
     */
    static void storePartial(float[] out, int stride, float[] bias, int o0, int channels, int count, float[] y,
                             int yOff, int planeSize) {
        for (int j = 0; j < channels; j++) {
            float b = bias == null ? 0f : bias[o0 + j];
            int row = yOff + j * planeSize;
            for (int p = 0; p < count; p++) {
                y[row + p] = out[j * stride + p] + b;
            }
        }
    }

    /** {@code taps[(c*KH + a)*KW + b] = ((c*KW + b)*rows + a*dH)*OW}: where tap r's run starts in the copy. */
    private static void tapOffsets(ConvGeometry g, int rows, int[] taps) {
        int r = 0;
        for (int c = 0; c < g.c(); c++) {
            for (int a = 0; a < g.kh(); a++) {
                for (int b = 0; b < g.kw(); b++) {
                    taps[r++] = ((c * g.kw() + b) * rows + a * g.dilH()) * g.outW();
                }
            }
        }
    }

    /** Writes the row-shifted copy of the image at x[off ..] into xs, as in the type's Javadoc. */
    private static void shift(float[] x, int off, ConvGeometry g, int rows, float[] xs) {
        int ow = g.outW();
        int sw = g.strideW();
        int d = 0;
        for (int c = 0; c < g.c(); c++) {
            for (int b = 0; b < g.kw(); b++) {
                int offW = b * g.dilW() - g.padW();
                int lo = Math.min(ow, ConvKernels.firstValid(b * g.dilW(), g.padW(), sw));
                int hi = Math.max(lo, ConvKernels.endValid(b * g.dilW(), g.padW(), sw, g.w(), ow));
                for (int i = 0; i < rows; i++, d += ow) {
                    int ih = i - g.padH();
                    if (ih < 0 || ih >= g.h()) {
                        java.util.Arrays.fill(xs, d, d + ow, 0f);
                        continue;
                    }
                    int src = off + (c * g.h() + ih) * g.w() + offW;
                    java.util.Arrays.fill(xs, d, d + lo, 0f);
                    if (sw == 1) {
                        System.arraycopy(x, src + lo, xs, d + lo, hi - lo);
                    } else {
                        for (int j = lo; j < hi; j++) {
                            xs[d + j] = x[src + j * sw];
                        }
                    }
                    java.util.Arrays.fill(xs, d + hi, d + ow, 0f);
                }
            }
        }
    }

    /**
     * Packs w [OC, taps] into panels of mr output channels, tap-major:
     * {@code packed[o0*taps + r*mr + j] = w[o0 + j, r]} for panel o0 (zero past the last channel).
     */
    private static float[] pack(int mr, int oc, int taps, float[] w) {
        int panels = (oc + mr - 1) / mr;
        float[] packed = new float[panels * mr * taps];
        for (int o = 0; o < oc; o++) {
            int o0 = o - o % mr;
            for (int r = 0; r < taps; r++) {
                packed[o0 * taps + r * mr + o - o0] = w[o * taps + r];
            }
        }
        return packed;
    }

    private static Scratch scratch(int shiftedSize, int taps, int tile) {
        Scratch s = SCRATCH.get();
        if (s.xs.length < shiftedSize) {
            s.xs = new float[shiftedSize];
        }
        if (s.taps.length < taps) {
            s.taps = new int[taps];
        }
        if (s.out.length < tile) {
            s.out = new float[tile];
        }
        return s;
    }
}
