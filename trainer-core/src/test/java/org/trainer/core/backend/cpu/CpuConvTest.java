package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.backend.ConvGeometry;

/**
 * The fused float32 convolution ({@link CpuConv}) against a direct double-precision convolution, for
 * its output and all three gradients, on shapes that take every path: stride, padding and dilation
 * on each axis, windows hanging over the padding, one input channel with a long depth (the weight
 * gradient through the segmented dot-product kernel), many channels (per-image products), batches
 * smaller and larger than the number of gradient groups. Also: with the portable kernel, bitwise
 * equal across thread counts, and the same as float64 through the im2col path of the Tensor API.
 */
@ExtendWith(RestoresThreadCount.class)
class CpuConvTest {
    @AfterEach
    void restoreKernel() {
        Sgemm.forcePortableKernel(false);
    }

    /** n, c, h, w, oc, kh, kw, strideH, strideW, padH, padW, dilH, dilW. */
    private static final String[] SHAPES = {
        "32, 1, 28, 28, 6, 5, 5, 1, 1, 0, 0, 1, 1",
        "9, 1, 30, 26, 7, 3, 4, 1, 2, 1, 0, 1, 2",
        "3, 5, 12, 11, 9, 5, 5, 1, 1, 0, 0, 1, 1",
        "2, 3, 9, 10, 4, 3, 3, 2, 1, 2, 1, 2, 1",
        "1, 2, 5, 4, 3, 3, 2, 1, 1, 2, 2, 1, 1",
        "13, 4, 7, 7, 5, 1, 1, 3, 2, 1, 0, 1, 1",
        "17, 1, 40, 40, 3, 5, 5, 1, 1, 2, 2, 1, 1",
        // The direct forward and input gradient (WindowConv) at height stride 1: padding on both axes with a width
        // stride and dilation, more channels than one tile with a partial last one, pixel tails;
        // padding wider than the window (output columns and rows that see only zeros).
        "1, 33, 9, 13, 37, 3, 3, 1, 2, 1, 2, 2, 1",
        "5, 2, 6, 7, 13, 2, 3, 1, 1, 1, 1, 1, 3",
        "2, 3, 4, 5, 7, 2, 2, 1, 3, 3, 4, 1, 1",
        // The weight gradient read in place (DirectConv): the MNIST CNN's second layer at batch 64,
        // batch 1 with stride, dilation and OC not a multiple of the tile, odd sizes, and images so
        // large that a group's output gradient is packed in several passes.
        "64, 32, 12, 12, 64, 5, 5, 1, 1, 0, 0, 1, 1",
        "1, 7, 9, 11, 19, 3, 4, 2, 1, 0, 0, 2, 1",
        "11, 3, 13, 10, 5, 5, 5, 1, 2, 0, 0, 1, 1",
        "9, 3, 134, 134, 4, 5, 5, 1, 1, 0, 0, 1, 1",
    };

    /** Shapes from this index on must take the in-place weight gradient when the Vector API is loaded. */
    private static final int FIRST_DIRECT = 10;

    @ParameterizedTest(name = "portable={0} threads={1}")
    @CsvSource({"false, 1", "false, 2", "true, 1", "true, 2"})
    void matchesDirectConvolution(boolean portable, int threads) {
        Sgemm.forcePortableKernel(portable);
        Parallel.setThreads(threads);
        SplittableRandom random = new SplittableRandom(5);
        for (String shape : SHAPES) {
            Case t = new Case(geometry(shape), oc(shape), random);
            t.run();
            t.check();
        }
    }

    @ParameterizedTest(name = "portable={0}")
    @CsvSource({"false", "true"})
    void resultsAreBitwiseIdenticalAcrossThreadCounts(boolean portable) {
        Sgemm.forcePortableKernel(portable);
        for (String shape : SHAPES) {
            Parallel.setThreads(1);
            Case one = new Case(geometry(shape), oc(shape), new SplittableRandom(9));
            one.run();
            Parallel.setThreads(2);
            Case two = new Case(geometry(shape), oc(shape), new SplittableRandom(9));
            two.run();
            assertArrayEquals(one.y, two.y, shape);
            assertArrayEquals(one.gx, two.gx, shape);
            assertArrayEquals(one.gw, two.gw, shape);
            assertArrayEquals(one.gb, two.gb, shape);
        }
    }

    @org.junit.jupiter.api.Test
    void directWeightGradientCoversItsShapes() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Sgemm.dotKernel() != null, "needs the Vector API");
        for (int i = 0; i < SHAPES.length; i++) {
            ConvGeometry g = geometry(SHAPES[i]);
            boolean direct = DirectConv.kernel(g, CpuConv.DIRECT_MIN_TAPS) != null;
            assertTrue(direct == (i >= FIRST_DIRECT || i == 2), SHAPES[i] + ": in place = " + direct);
        }
    }

    @org.junit.jupiter.api.Test
    void directPathCoversHeightStrideOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(WindowConv.kernel(geometry(SHAPES[0])) != null,
                "needs the Vector API with vectors of 8 floats or more");
        for (String shape : SHAPES) {
            ConvGeometry g = geometry(shape);
            assertTrue((WindowConv.kernel(g) != null) == (g.strideH() == 1), shape);
        }
    }

    /** The first shape's weight gradient goes through the dot-product kernel when it is present. */
    @ParameterizedTest(name = "threads={0}")
    @CsvSource({"1", "2"})
    void tensorApiMatchesFloat64Path(int threads) {
        Parallel.setThreads(threads);
        Tensor x = Tensor.randn(1, 32, 1, 28, 28);
        Tensor w = Tensor.randn(2, 6, 1, 5, 5);
        Tensor b = Tensor.randn(3, 6);
        Tensor up = Tensor.randn(4, 32, 6, 24, 24);
        double[][] f32 = gradients(x, w, b, up, DType.FLOAT32);
        double[][] f64 = gradients(x, w, b, up, DType.FLOAT64);
        for (int t = 0; t < f32.length; t++) {
            for (int i = 0; i < f32[t].length; i++) {
                double tolerance = 1e-4 * (1 + Math.abs(f64[t][i])) * (t == 0 ? 1 : 30);
                assertTrue(Math.abs(f32[t][i] - f64[t][i]) <= tolerance,
                        "output/grad " + t + " element " + i + ": " + f32[t][i] + " vs " + f64[t][i]);
            }
        }
        assertTrue(Sgemm.prefersDot(false, true, 6, 25, 4 * 576));
    }

    /** Forward output, then gradients of x, w and b, with `up` as the output gradient. */
    private static double[][] gradients(Tensor x0, Tensor w0, Tensor b0, Tensor up, DType dtype) {
        Tensor x = x0.to(dtype).detach().requiresGrad(true);
        Tensor w = w0.to(dtype).detach().requiresGrad(true);
        Tensor b = b0.to(dtype).detach().requiresGrad(true);
        Tensor y = x.conv2d(w, b, 1, 0, 1);
        y.backward(up.to(dtype));
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
            b.grad().toDoubleArray()};
    }

    private static ConvGeometry geometry(String shape) {
        int[] v = ints(shape);
        return new ConvGeometry(v[0], v[1], v[2], v[3], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]);
    }

    private static int oc(String shape) {
        return ints(shape)[4];
    }

    private static int[] ints(String shape) {
        String[] parts = shape.split(",");
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Integer.parseInt(parts[i].trim());
        }
        return v;
    }

    /** One convolution's operands, its float32 results from CpuConv and the checks against doubles. */
    private static final class Case {
        final ConvGeometry g;
        final int oc;
        final float[] x;
        final float[] w;
        final float[] bias;
        final float[] up;
        final float[] y;
        final float[] gx;
        final float[] gw;
        final float[] gb;

        Case(ConvGeometry g, int oc, SplittableRandom random) {
            this.g = g;
            this.oc = oc;
            x = random(random, g.n() * g.c() * g.h() * g.w());
            w = random(random, oc * g.c() * g.kh() * g.kw());
            bias = random(random, oc);
            up = random(random, g.n() * oc * g.outH() * g.outW());
            // Stale values: every output must be overwritten.
            y = filled(up.length);
            gx = filled(x.length);
            gw = filled(w.length);
            gb = filled(oc);
        }

        void run() {
            CpuConv.forward(x, w, bias, g, oc, y);
            CpuConv.backward(x, w, up, g, oc, gx, gw, gb);
        }

        /** Direct convolution in double; tolerances scale with the sum of |terms| of each element. */
        void check() {
            double[] ry = new double[y.length];
            double[] my = new double[y.length];
            double[] rgx = new double[gx.length];
            double[] mgx = new double[gx.length];
            double[] rgw = new double[gw.length];
            double[] mgw = new double[gw.length];
            double[] rgb = new double[gb.length];
            double[] mgb = new double[gb.length];
            int oh = g.outH();
            int ow = g.outW();
            for (int n = 0; n < g.n(); n++) {
                for (int o = 0; o < oc; o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            int q = ((n * oc + o) * oh + i) * ow + j;
                            double gyv = up[q];
                            ry[q] += bias[o];
                            my[q] += Math.abs(bias[o]);
                            rgb[o] += gyv;
                            mgb[o] += Math.abs(gyv);
                            for (int c = 0; c < g.c(); c++) {
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
                                        int xi = ((n * g.c() + c) * g.h() + ih) * g.w() + iw;
                                        int wi = ((o * g.c() + c) * g.kh() + a) * g.kw() + b;
                                        ry[q] += (double) w[wi] * x[xi];
                                        my[q] += Math.abs((double) w[wi] * x[xi]);
                                        rgx[xi] += gyv * w[wi];
                                        mgx[xi] += Math.abs(gyv * w[wi]);
                                        rgw[wi] += gyv * x[xi];
                                        mgw[wi] += Math.abs(gyv * x[xi]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            close("y", y, ry, my);
            close("gx", gx, rgx, mgx);
            close("gw", gw, rgw, mgw);
            close("gb", gb, rgb, mgb);
        }

        private void close(String what, float[] actual, double[] expected, double[] magnitude) {
            for (int i = 0; i < actual.length; i++) {
                double tolerance = 1e-5 * magnitude[i] + 1e-30;
                if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                    throw new AssertionError(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i]
                            + " +- " + tolerance + " (" + g + ", oc=" + oc + ", kernel=" + Sgemm.kernelName()
                            + ", threads=" + Parallel.threads() + ")");
                }
            }
        }

        private static float[] random(SplittableRandom random, int size) {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = (float) (random.nextDouble() * 2 - 1);
            }
            return v;
        }

        private static float[] filled(int size) {
            float[] v = new float[size];
            java.util.Arrays.fill(v, Float.NaN);
            return v;
        }
    }
}
