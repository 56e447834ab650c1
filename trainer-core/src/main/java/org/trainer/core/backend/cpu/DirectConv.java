package org.trainer.core.backend.cpu;

import org.trainer.core.backend.ConvGeometry;

/**
 * The float32 convolution weight gradient read from the image in place (an implicit GEMM): the
 * entries of the unfolded matrix are {@code x[pixel base + tap offset]}, with a pixel base per
 * output pixel, {@code n*C*H*W + oy*strideH*W + ox*strideW}, and a tap offset per column row
 * r = (c, ki, kj), {@code c*H*W + ki*dilH*W + kj*dilW}; a {@link ConvTileKernel} gathers them
 * straight into its broadcasts, so no columns are written. Only for windows that stay inside the
 * image (no padding).
 *
 * <p>Per group of images: tiles of (6 taps) x (nr output channels),
 * {@code gw[o, r] = sum_q gy[o, q] x[base(q) + off(r)]} over every pixel q of the group in order,
 * with gy packed pixel-major in panels of nr channels (zeros past OC). This replaces, per image, an
 * unfolding that copied C*KH*KW*OH*OW floats and the transposing copy of those columns that packing
 * them for the GEMM kernel made, and a product of depth OH*OW (64 for a second conv layer on MNIST)
 * by one of depth images*OH*OW. Measured on conv 32x12x12->64 5x5, batch 64, one thread: about 1.5x
 * faster than unfolding. The same gathered kernel was tried for the forward product (no faster
 * than unfolding + GEMM: the six gathered loads per step cost what the unfolding saved) and for the
 * input gradient (slower: 64-deep tiles scattered into gx one float at a time).
 */
final class DirectConv {
    /**
     * Most floats of packed output gradient per pass (1 MiB): one layer of MNIST's second conv
     * layer for 8 images is 32 Ki floats.
     */
    private static final long PACKED_MAX = 1 << 18;
    /** Per thread: the packed output gradient, grown on demand. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    /** Per thread: tap offsets, then pixel bases; grown on demand. */
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[0]);
    /** Per thread: the kernel's row indices and its output tile. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private DirectConv() {
    }

    private static final class Scratch {
        final int[] rows = new int[16];
        float[] out = new float[0];
    }

    /** Loads the vector kernel lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Kernels {
        static final ConvTileKernel VECTOR = select();

        private static ConvTileKernel select() {
            return VectorSupport.load(ConvTileKernel.class, "VectorConvTile", true, "conv2d unfolds columns");
        }
    }

    /**
     * The kernel for this geometry, or null when the unfolding path should run: without the Vector
     * API (or with the portable kernel forced), with padding, or with fewer than {@code minTaps}
     * taps (C*KH*KW), where the segmented dot-product path over long images wins.
     */
    static ConvTileKernel kernel(ConvGeometry g, int minTaps) {
        if (Sgemm.dotKernel() == null || g.padH() != 0 || g.padW() != 0
                || g.c() * g.kh() * g.kw() < minTaps) {
            return null;
        }
        return Kernels.VECTOR;
    }

    /**
     * Overwrites {@code dst[off ..]} [OC, C*KH*KW] with the weight gradient of images [first, end),
     * on the calling thread. The images go through in chunks whose packed output gradient fits
     * {@link #PACKED_MAX} floats (a number fixed by the shapes), each chunk's sums added to the
     * previous ones in order.
     */
    static void weightGradient(ConvTileKernel kernel, float[] x, float[] gy, ConvGeometry g, int oc, int first,
                               int end, float[] dst, int off) {
        int hw = g.outH() * g.outW();
        int panels = (oc + kernel.nr() - 1) / kernel.nr();
        int chunk = (int) Math.max(1, PACKED_MAX / ((long) panels * kernel.nr() * hw));
        for (int n0 = first; n0 < end; n0 += chunk) {
            weightGradientChunk(kernel, x, gy, g, oc, n0, Math.min(end, n0 + chunk), dst, off, n0 > first);
        }
    }

    /** {@link #weightGradient} of images [first, end) in one pass, added to dst when {@code add}. */
    private static void weightGradientChunk(ConvTileKernel kernel, float[] x, float[] gy, ConvGeometry g, int oc,
                                            int first, int end, float[] dst, int off, boolean add) {
        int ckk = g.c() * g.kh() * g.kw();
        int hw = g.outH() * g.outW();
        int k = (end - first) * hw;
        int nr = kernel.nr();
        int mr = kernel.mr();
        int panels = (oc + nr - 1) / nr;
        Scratch s = scratch(kernel);
        float[] packed = packed(panels * k * nr);
        for (int t = 0; t < panels; t++) {
            for (int j = 0; j < nr; j++) {
                int o = t * nr + j;
                for (int n = first; n < end; n++) {
                    int at = (t * k + (n - first) * hw) * nr + j;
                    for (int q = 0; q < hw; q++) {
                        packed[at + q * nr] = o < oc ? gy[(n * oc + o) * hw + q] : 0f;
                    }
                }
            }
        }
        int[] offsets = offsets(ckk + k);
        tapOffsets(g, offsets);
        int imageSize = g.c() * g.h() * g.w();
        for (int n = first; n < end; n++) {
            pixelBases(g, n * imageSize, offsets, ckk + (n - first) * hw);
        }
        for (int r0 = 0; r0 < ckk; r0 += mr) {
            int valid = Math.min(mr, ckk - r0);
            for (int i = 0; i < mr; i++) {
                s.rows[i] = offsets[r0 + Math.min(i, valid - 1)];
            }
            for (int t = 0; t < panels; t++) {
                kernel.tile(k, x, s.rows, offsets, ckk, packed, t * k * nr, s.out);
                int channels = Math.min(nr, oc - t * nr);
                for (int j = 0; j < channels; j++) {
                    int row = off + (t * nr + j) * ckk + r0;
                    for (int i = 0; i < valid; i++) {
                        dst[row + i] = add ? dst[row + i] + s.out[i * nr + j] : s.out[i * nr + j];
                    }
                }
            }
        }
    }

    /** {@code offsets[r] = c*H*W + ki*dilH*W + kj*dilW} for every column row r = (c, ki, kj). */
    private static void tapOffsets(ConvGeometry g, int[] offsets) {
        int r = 0;
        for (int c = 0; c < g.c(); c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    offsets[r++] = (c * g.h() + ki * g.dilH()) * g.w() + kj * g.dilW();
                }
            }
        }
    }

    /** {@code offsets[at + oy*OW + ox] = base + oy*strideH*W + ox*strideW}. */
    private static void pixelBases(ConvGeometry g, int base, int[] offsets, int at) {
        for (int oy = 0; oy < g.outH(); oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                offsets[at + oy * g.outW() + ox] = base + oy * g.strideH() * g.w() + ox * g.strideW();
            }
        }
    }

    private static float[] packed(int size) {
        float[] p = PACKED.get();
        if (p.length < size) {
            p = new float[size];
            PACKED.set(p);
        }
        return p;
    }

    private static int[] offsets(int size) {
        int[] p = OFFSETS.get();
        if (p.length < size) {
            p = new int[size];
            OFFSETS.set(p);
        }
        return p;
    }

    private static Scratch scratch(ConvTileKernel kernel) {
        Scratch s = SCRATCH.get();
        if (s.out.length < kernel.mr() * kernel.nr()) {
            s.out = new float[kernel.mr() * kernel.nr()];
        }
        return s;
    }
}
