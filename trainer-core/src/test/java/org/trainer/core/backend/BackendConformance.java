package org.trainer.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.nn.GRU;
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.RNN;
import org.trainer.core.nn.RecurrentLayer;
import org.trainer.core.nn.RecurrentOptions;
import org.trainer.core.nn.RecurrentOutput;
import org.trainer.core.nn.RecurrentState;
import org.trainer.core.ops.LayerNorm;
import org.trainer.core.ops.SoftmaxCrossEntropy;

/**
 * The contract every {@link Backend} meets, as an abstract JUnit 5 class in core's test-jar: a
 * backend's test extends it and returns the backend from {@link #backend()}. Every required
 * primitive is checked against simple double-precision reference math on the host (the scalar
 * definitions in {@link UnaryOp} and {@link BinaryOp}, loops for the rest), in float32 and float64
 * (int32 where the primitive takes integers), with broadcast shapes, strides, offsets and odd
 * sizes. Floating results agree to 1e-12 (float64) or 2e-5 (float32) relative to their scale;
 * integer results exactly. Each optional {@link Capability} the backend offers is checked against
 * its composed fallback, run on a {@link PrimitiveBackend} over the same backend (the fallbacks
 * themselves against reference math too), and the optimizer steps against the host's double math.
 */
public abstract class BackendConformance {
    /** The floating dtypes every floating primitive is checked in. */
    protected static final List<DType> FLOATING = List.of(DType.FLOAT32, DType.FLOAT64);
    private static final int[] SIZES = {0, 1, 7, 1031};

    /**
     * The backend under test; called once per test.
     *
     * @return the backend
     */
    protected abstract Backend backend();

    // ---- helpers ---------------------------------------------------------------------------------

    /** A storage of {@code be} holding {@code v} in {@code dtype} (ints truncated). */
    static Storage put(Backend be, DType dtype, double[] v) {
        return switch (dtype) {
            case FLOAT64 -> be.fromArray(v.clone());
            case FLOAT32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                yield be.fromArray(f);
            }
            case INT32 -> {
                int[] n = new int[v.length];
                for (int i = 0; i < v.length; i++) {
                    n[i] = (int) v[i];
                }
                yield be.fromArray(n);
            }
        };
    }

    /** v as {@code dtype} holds it, back in double. */
    static double[] as(DType dtype, double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = switch (dtype) {
                case FLOAT64 -> v[i];
                case FLOAT32 -> (float) v[i];
                case INT32 -> (int) v[i];
            };
        }
        return r;
    }

    /** n uniform values in [lo, hi). */
    static double[] uniform(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return v;
    }

    /** n values from {lo, lo + 1/2, ..., hi}: exact in every dtype, with ties. */
    static double[] halves(long seed, int n, int lo, int hi) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + r.nextInt(2 * (hi - lo) + 1) / 2.0;
        }
        return v;
    }

    /** Asserts actual equals expected within the dtype's tolerance relative to the values' scale. */
    static void close(String what, DType dtype, double[] expected, double[] actual) {
        close(what, dtype, expected, actual, 1);
    }

    /** As {@link #close(String, DType, double[], double[])}, with the tolerance times {@code slack}. */
    static void close(String what, DType dtype, double[] expected, double[] actual, double slack) {
        assertEquals(expected.length, actual.length, what + ": length");
        double tol = slack * switch (dtype) {
            case FLOAT64 -> 1e-12;
            case FLOAT32 -> 2e-5;
            case INT32 -> 0;
        };
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) ? !Double.isNaN(a) : !(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
                fail(what + " " + dtype + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }

    private static int prod(int[] shape) {
        int p = 1;
        for (int s : shape) {
            p *= s;
        }
        return p;
    }

    /** The flat index in {@code shape} of the multi-index {@code idx} broadcast to it (size-1 axes pinned to 0). */
    private static int broadcastIndex(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d]);
        }
        return flat;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ---- allocation, transfer, cast, fill --------------------------------------------------------

    @Test
    void allocatedStoragesAreZeroAndHoldTheirDtype() {
        Backend be = backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                Storage s = be.allocate(dtype, n);
                assertEquals(dtype, s.dtype());
                assertEquals(n, s.size());
                assertArrayEquals(new double[n], be.toDoubleArray(s), "allocate " + dtype + " " + n);
            }
        }
    }

    @Test
    void hostArraysAndBuffersRoundTrip() {
        Backend be = backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                double[] v = as(dtype, uniform(n, n, -50, 50));
                Storage s = put(be, dtype, v);
                close("fromArray/toDoubleArray", dtype, v, be.toDoubleArray(s));
                close("toFloatArray", DType.FLOAT32, as(DType.FLOAT32, v), floats(be.toFloatArray(s)));
                close("toIntArray", DType.INT32, as(DType.INT32, v), ints(be.toIntArray(s)));
                Storage t = be.allocate(dtype, n);
                switch (dtype) {
                    case FLOAT32 -> be.write(t, FloatBuffer.wrap(be.toFloatArray(s)));
                    case FLOAT64 -> be.write(t, DoubleBuffer.wrap(be.toDoubleArray(s)));
                    case INT32 -> be.write(t, IntBuffer.wrap(be.toIntArray(s)));
                }
                close("write", dtype, v, be.toDoubleArray(t));
                double[] back = new double[n + 2];
                DoubleBuffer db = DoubleBuffer.wrap(back);
                db.position(1);
                if (dtype == DType.FLOAT64) {
                    be.read(t, db);
                    assertEquals(n + 1, db.position(), "read advances the buffer");
                    close("read", dtype, v, java.util.Arrays.copyOfRange(back, 1, n + 1));
                }
            }
        }
    }

    private static double[] floats(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] ints(int[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void castConvertsBetweenEveryPairOfDtypes() {
        Backend be = backend();
        double[] v = {-2.75, -1.5, -0.25, 0, 0.25, 1.5, 2.75, 1e6 + 0.5, 16_777_217};
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                Storage s = put(be, from, v);
                double[] expected = as(to, as(from, v));
                close("cast " + from + "->", to, expected, be.toDoubleArray(be.cast(s, to)));
                Storage into = be.allocate(to, v.length);
                be.castInto(s, into);
                close("castInto " + from + "->", to, expected, be.toDoubleArray(into));
            }
        }
    }

    @Test
    void fillSetsEveryElement() {
        Backend be = backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                Storage s = put(be, dtype, uniform(3, n, -5, 5));
                be.fill(s, -3.25);
                double[] expected = new double[n];
                java.util.Arrays.fill(expected, as(dtype, new double[] {-3.25})[0]);
                close("fill", dtype, expected, be.toDoubleArray(s));
            }
        }
    }

    // ---- strided copy ----------------------------------------------------------------------------

    @Test
    void stridedCopyPermutesSlicesAndKeepsTheRest() {
        Backend be = backend();
        int[] shape = {3, 4, 5};
        for (DType dtype : DType.values()) {
            // src: a [7, 5, 4] array read from offset 6 as a [3, 4, 5] block of its permuted axes
            double[] src = as(dtype, uniform(11, 7 * 5 * 4, -9, 9));
            int[] srcStrides = {20, 1, 4};
            int srcOffset = 6;
            // dst: a [3, 4, 7] array written from offset 2, untouched outside the block
            double[] dst = as(dtype, uniform(12, 3 * 4 * 7 + 2, -9, 9));
            int[] dstStrides = {28, 7, 1};
            int dstOffset = 2;
            double[] expected = dst.clone();
            for (int f = 0; f < prod(shape); f++) {
                int[] i = unravel(f, shape);
                expected[dstOffset + i[0] * 28 + i[1] * 7 + i[2]] = src[srcOffset + i[0] * 20 + i[1] + i[2] * 4];
            }
            Storage s = put(be, dtype, src);
            Storage d = put(be, dtype, dst);
            be.copy(s, srcOffset, srcStrides, d, dstOffset, dstStrides, shape);
            close("copy", dtype, expected, be.toDoubleArray(d));
            Storage bcast = be.allocate(dtype, 12);
            be.copy(s, 1, new int[] {0, 1}, bcast, 0, new int[] {4, 1}, new int[] {3, 4});
            double[] rows = new double[12];
            for (int r = 0; r < 12; r++) {
                rows[r] = src[1 + r % 4];
            }
            close("copy with a zero stride", dtype, rows, be.toDoubleArray(bcast));
        }
    }

    // ---- elementwise -----------------------------------------------------------------------------

    /** A parameter for each op, and inputs inside its domain. */
    static double param(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU -> 0.07;
            case POW_SCALAR -> 1.5;
            case CLAMP_MAX -> 0.5;
            case CLAMP_MIN -> -0.5;
            case SCALE -> 1.7;
            case SHIFT -> -0.3;
            default -> 0;
        };
    }

    static double[] domain(UnaryOp op, long seed, int n) {
        return switch (op) {
            case LOG, SQRT, POW_SCALAR, RECIPROCAL -> uniform(seed, n, 0.2, 3);
            default -> uniform(seed, n, -3, 3);
        };
    }

    @Test
    void unaryAndItsDerivativeMatchTheScalarDefinitions() {
        Backend be = backend();
        for (DType dtype : FLOATING) {
            for (UnaryOp op : UnaryOp.values()) {
                double p = param(op);
                for (int n : new int[] {1, 1031}) {
                    double[] x = as(dtype, domain(op, op.ordinal(), n));
                    double[] gy = as(dtype, uniform(op.ordinal() + 100, n, -1, 1));
                    double[] y = new double[n];
                    double[] gx = new double[n];
                    for (int i = 0; i < n; i++) {
                        y[i] = op.apply(x[i], p);
                        gx[i] = gy[i] * op.derivative(x[i], y[i], p);
                    }
                    Storage xs = put(be, dtype, x);
                    Storage ys = be.allocate(dtype, n);
                    be.unary(op, p, xs, ys);
                    close("unary " + op, dtype, y, be.toDoubleArray(ys));
                    Storage gxs = be.allocate(dtype, n);
                    be.unaryBackward(op, p, xs, ys, put(be, dtype, gy), gxs);
                    close("unaryBackward " + op, dtype, gx, be.toDoubleArray(gxs));
                    be.unary(op, p, xs, xs);
                    close("unary " + op + " in place", dtype, y, be.toDoubleArray(xs));
                }
            }
        }
    }

    /** Operands for a binary op: halves (ties for the comparisons); positive bases for POW, no zero divisors. */
    private static double[][] operands(BinaryOp op, int na, int nb) {
        double[] a = op == BinaryOp.POW ? halves(1, na, 1, 3) : halves(1, na, -3, 3);
        double[] b = op == BinaryOp.POW ? halves(2, nb, -2, 2) : halves(2, nb, -3, 3);
        if (op == BinaryOp.DIV) {
            for (int i = 0; i < nb; i++) {
                b[i] = b[i] == 0 ? 0.5 : b[i];
            }
        }
        return new double[][] {a, b};
    }

    @Test
    void binaryBroadcastsAsNumPy() {
        Backend be = backend();
        int[][][] cases = {
                {{3, 1, 5}, {1, 4, 5}, {3, 4, 5}},
                {{1, 1, 1}, {2, 3, 7}, {2, 3, 7}},
                {{4, 33}, {4, 33}, {4, 33}},
                {{6, 1}, {1, 1}, {6, 1}},
        };
        for (DType dtype : FLOATING) {
            for (BinaryOp op : BinaryOp.values()) {
                for (int[][] c : cases) {
                    double[][] ab = operands(op, prod(c[0]), prod(c[1]));
                    double[] a = ab[0];
                    double[] b = ab[1];
                    double[] expected = new double[prod(c[2])];
                    for (int f = 0; f < expected.length; f++) {
                        int[] i = unravel(f, c[2]);
                        expected[f] = op.apply(a[broadcastIndex(i, c[0])], b[broadcastIndex(i, c[1])]);
                    }
                    Storage out = be.allocate(dtype, expected.length);
                    be.binary(op, put(be, dtype, a), c[0], put(be, dtype, b), c[1], out, c[2]);
                    close("binary " + op + " " + java.util.Arrays.deepToString(c), dtype, as(dtype, expected),
                            be.toDoubleArray(out));
                }
            }
        }
    }

    @Test
    void whereBroadcastsEveryOperand() {
        Backend be = backend();
        int[] cs = {3, 1};
        int[] as = {1, 4};
        int[] bs = {3, 4};
        int[] os = {3, 4};
        double[] cond = {1, 0, -2};
        for (DType dtype : DType.values()) {
            double[] a = as(dtype, uniform(5, 4, -9, 9));
            double[] b = as(dtype, uniform(6, 12, -9, 9));
            double[] expected = new double[12];
            for (int f = 0; f < 12; f++) {
                int[] i = unravel(f, os);
                expected[f] = cond[broadcastIndex(i, cs)] != 0 ? a[broadcastIndex(i, as)] : b[broadcastIndex(i, bs)];
            }
            Storage out = be.allocate(dtype, 12);
            be.where(put(be, dtype, cond), cs, put(be, dtype, a), as, put(be, dtype, b), bs, out, os);
            close("where", dtype, expected, be.toDoubleArray(out));
        }
    }

    // ---- reductions ------------------------------------------------------------------------------

    private static final int[][] REDUCE_SHAPES = {{1, 1, 1}, {3, 5, 7}, {2, 1031, 1}, {1, 3, 64}, {5, 1, 3}};

    @Test
    void reduceSumsAndFindsExtremaAlongTheMiddleAxis() {
        Backend be = backend();
        for (DType dtype : DType.values()) {
            for (ReduceOp op : ReduceOp.values()) {
                for (int[] s : REDUCE_SHAPES) {
                    int outer = s[0];
                    int n = s[1];
                    int inner = s[2];
                    double[] x = as(dtype, dtype == DType.INT32 ? halves(7, outer * n * inner, -40, 40)
                            : uniform(7, outer * n * inner, -3, 3));
                    double[] expected = new double[outer * inner];
                    for (int o = 0; o < outer; o++) {
                        for (int i = 0; i < inner; i++) {
                            double acc = x[o * n * inner + i];
                            for (int k = 1; k < n; k++) {
                                double v = x[(o * n + k) * inner + i];
                                acc = switch (op) {
                                    case SUM -> acc + v;
                                    case MAX -> Math.max(acc, v);
                                    case MIN -> Math.min(acc, v);
                                };
                            }
                            expected[o * inner + i] = acc;
                        }
                    }
                    Storage out = be.allocate(dtype, outer * inner);
                    be.reduce(op, put(be, dtype, x), outer, n, inner, out);
                    // a float32 sum of n terms rounds up to n times, about sqrt(n) times in effect
                    double slack = op == ReduceOp.SUM ? Math.sqrt(n) : 1;
                    close("reduce " + op + " " + java.util.Arrays.toString(s), dtype, expected, be.toDoubleArray(out),
                            slack);
                }
            }
        }
    }

    @Test
    void argReduceFindsTheFirstExtremum() {
        Backend be = backend();
        for (DType dtype : DType.values()) {
            for (boolean max : new boolean[] {true, false}) {
                for (int[] s : REDUCE_SHAPES) {
                    int outer = s[0];
                    int n = s[1];
                    int inner = s[2];
                    double[] x = as(dtype, halves(8, outer * n * inner, -2, 2));
                    double[] expected = new double[outer * inner];
                    for (int o = 0; o < outer; o++) {
                        for (int i = 0; i < inner; i++) {
                            int best = 0;
                            for (int k = 1; k < n; k++) {
                                double v = x[(o * n + k) * inner + i];
                                double b = x[(o * n + best) * inner + i];
                                if (max ? v > b : v < b) {
                                    best = k;
                                }
                            }
                            expected[o * inner + i] = best;
                        }
                    }
                    Storage out = be.allocate(DType.INT32, outer * inner);
                    be.argReduce(max, put(be, dtype, x), outer, n, inner, out);
                    close("argReduce max=" + max + " " + java.util.Arrays.toString(s) + " of " + dtype, DType.INT32,
                            expected, be.toDoubleArray(out));
                }
            }
        }
    }

    // ---- matmul ----------------------------------------------------------------------------------

    @Test
    void matmulMultipliesBatchesWithTranspositionBroadcastAndAccumulation() {
        Backend be = backend();
        int[][] dims = {{1, 1, 1}, {5, 7, 3}, {17, 33, 65}};
        for (DType dtype : FLOATING) {
            for (int[] d : dims) {
                for (int variant = 0; variant < 16; variant++) {
                    boolean transA = (variant & 1) != 0;
                    boolean transB = (variant & 2) != 0;
                    boolean accumulate = (variant & 4) != 0;
                    boolean broadcastB = (variant & 8) != 0;
                    checkMatmul(be, dtype, d[0], d[1], d[2], 3, transA, transB, accumulate, broadcastB, false);
                }
                checkMatmul(be, dtype, d[0], d[1], d[2], 3, false, true, false, false, true);
                checkMatmul(be, dtype, d[0], d[1], d[2], 3, true, false, true, false, true);
            }
        }
    }

    private static void checkMatmul(Backend be, DType dtype, int m, int n, int k, int batch, boolean transA,
                                    boolean transB, boolean accumulate, boolean broadcastB, boolean sumC) {
        double[] a = as(dtype, uniform(m * 31 + k, batch * m * k, -1, 1));
        double[] b = as(dtype, uniform(n * 17 + k, (broadcastB ? 1 : batch) * k * n, -1, 1));
        int cMatrices = sumC ? 1 : batch;
        double[] c0 = as(dtype, uniform(5, cMatrices * m * n, -1, 1));
        double[] expected = accumulate ? c0.clone() : new double[c0.length];
        for (int p = 0; p < batch; p++) {
            int ao = p * m * k;
            int bo = broadcastB ? 0 : p * k * n;
            int co = sumC ? 0 : p * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = transA ? a[ao + q * m + i] : a[ao + i * k + q];
                        double bv = transB ? b[bo + j * k + q] : b[bo + q * n + j];
                        s += av * bv;
                    }
                    expected[co + i * n + j] += s;
                }
            }
        }
        Storage cs = put(be, dtype, c0);
        be.matmul(transA, transB, batch, m, n, k, put(be, dtype, a), m * k, put(be, dtype, b),
                broadcastB ? 0 : k * n, cs, sumC ? 0 : m * n, accumulate);
        String what = "matmul " + m + "x" + n + "x" + k + " transA=" + transA + " transB=" + transB + " accumulate="
                + accumulate + " broadcastB=" + broadcastB + " sumC=" + sumC;
        // k (and the batch when summed) rounded products per element
        close(what, dtype, expected, be.toDoubleArray(cs), Math.sqrt(k * (sumC ? batch : 1)));
    }

    // ---- convolution pieces and pooling ----------------------------------------------------------

    private static final ConvGeometry[] GEOMETRIES = {
            new ConvGeometry(2, 3, 7, 6, 3, 2, 2, 1, 1, 0, 1, 2),
            new ConvGeometry(1, 1, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1),
            new ConvGeometry(3, 2, 9, 8, 3, 3, 1, 2, 1, 1, 1, 1),
    };

    /** The input element under column row r, column col of the im2col matrix, or -1 in the padding. */
    private static int source(ConvGeometry g, int r, int col) {
        int kw = r % g.kw();
        int kh = (r / g.kw()) % g.kh();
        int c = r / (g.kw() * g.kh());
        int ox = col % g.outW();
        int oy = (col / g.outW()) % g.outH();
        int n = col / (g.outW() * g.outH());
        int y = oy * g.strideH() - g.padH() + kh * g.dilH();
        int x = ox * g.strideW() - g.padW() + kw * g.dilW();
        if (y < 0 || y >= g.h() || x < 0 || x >= g.w()) {
            return -1;
        }
        return ((n * g.c() + c) * g.h() + y) * g.w() + x;
    }

    @Test
    void im2colUnfoldsAndCol2imAccumulatesBack() {
        Backend be = backend();
        for (DType dtype : FLOATING) {
            for (ConvGeometry g : GEOMETRIES) {
                int rows = g.c() * g.kh() * g.kw();
                int cols = g.n() * g.outH() * g.outW();
                double[] x = as(dtype, uniform(21, g.n() * g.c() * g.h() * g.w(), -2, 2));
                double[] col = new double[rows * cols];
                double[] back = new double[x.length];
                double[] c = as(dtype, uniform(22, rows * cols, -2, 2));
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        int s = source(g, r, j);
                        col[r * cols + j] = s < 0 ? 0 : x[s];
                        if (s >= 0) {
                            back[s] += c[r * cols + j];
                        }
                    }
                }
                Storage cs = be.allocate(dtype, rows * cols);
                be.im2col(put(be, dtype, x), g, cs);
                close("im2col " + g, dtype, col, be.toDoubleArray(cs));
                Storage gx = put(be, dtype, uniform(23, x.length, -2, 2));
                be.col2im(put(be, dtype, c), g, gx);
                close("col2im " + g, dtype, back, be.toDoubleArray(gx));
            }
        }
    }

    private static final ConvGeometry[] POOLS = {
            new ConvGeometry(2, 3, 7, 6, 2, 2, 2, 2, 0, 0, 1, 1),
            new ConvGeometry(1, 2, 5, 7, 3, 3, 2, 1, 1, 1, 1, 1),
    };

    @Test
    void poolingForwardAndBackwardMatchTheirWindows() {
        Backend be = backend();
        for (DType dtype : FLOATING) {
            for (ConvGeometry g : POOLS) {
                int planes = g.n() * g.c();
                int outs = planes * g.outH() * g.outW();
                double[] x = as(dtype, uniform(31, planes * g.h() * g.w(), -2, 2));
                double[] gy = as(dtype, uniform(32, outs, -1, 1));
                double[] max = new double[outs];
                double[] avg = new double[outs];
                double[] gMax = new double[x.length];
                double[] gAvg = new double[x.length];
                for (int p = 0; p < planes; p++) {
                    for (int oy = 0; oy < g.outH(); oy++) {
                        for (int ox = 0; ox < g.outW(); ox++) {
                            int o = (p * g.outH() + oy) * g.outW() + ox;
                            int best = -1;
                            double sum = 0;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int y = oy * g.strideH() - g.padH() + ky;
                                    int xx = ox * g.strideW() - g.padW() + kx;
                                    if (y < 0 || y >= g.h() || xx < 0 || xx >= g.w()) {
                                        continue;
                                    }
                                    int i = (p * g.h() + y) * g.w() + xx;
                                    sum += x[i];
                                    best = best < 0 || x[i] > x[best] ? i : best;
                                    gAvg[i] += gy[o] / (g.kh() * g.kw());
                                }
                            }
                            max[o] = x[best];
                            avg[o] = sum / (g.kh() * g.kw());
                            gMax[best] += gy[o];
                        }
                    }
                }
                Storage xs = put(be, dtype, x);
                Storage ys = be.allocate(dtype, outs);
                Storage arg = be.allocate(DType.INT32, outs);
                be.maxPool2d(xs, g, ys, arg);
                close("maxPool2d " + g, dtype, max, be.toDoubleArray(ys));
                Storage gx = put(be, dtype, uniform(33, x.length, -1, 1));
                be.maxPool2dBackward(put(be, dtype, gy), arg, g, gx);
                close("maxPool2dBackward " + g, dtype, gMax, be.toDoubleArray(gx));
                be.avgPool2d(xs, g, ys);
                close("avgPool2d " + g, dtype, avg, be.toDoubleArray(ys));
                be.avgPool2dBackward(put(be, dtype, gy), g, gx);
                close("avgPool2dBackward " + g, dtype, gAvg, be.toDoubleArray(gx));
            }
        }
    }

    /**
     * Max pooling's tie and NaN rule on data made of ties (zeros of both signs, ones, minus
     * infinity) and NaNs: the first maximum in window order wins, and the first NaN wins over numbers
     * and over later NaNs, also when they sit in different rows of a window that reaches into the
     * padding.
     */
    @Test
    void maxPoolingKeepsTheFirstMaximumAndTheFirstNaN() {
        Backend be = backend();
        ConvGeometry[] geometries = {
            new ConvGeometry(2, 3, 6, 8, 2, 2, 2, 2, 0, 0, 1, 1),
            new ConvGeometry(2, 3, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1),
            new ConvGeometry(1, 2, 7, 7, 3, 2, 2, 1, 1, 1, 2, 1),
        };
        double[] values = {0.0, -0.0, 1.0, Double.NaN, Double.NEGATIVE_INFINITY};
        Random r = new Random(41);
        for (DType dtype : FLOATING) {
            for (ConvGeometry g : geometries) {
                int planeIn = g.h() * g.w();
                int planeOut = g.outH() * g.outW();
                double[] x = new double[g.n() * g.c() * planeIn];
                for (int i = 0; i < x.length; i++) {
                    x[i] = values[r.nextInt(values.length)];
                }
                Storage ys = be.allocate(dtype, g.n() * g.c() * planeOut);
                Storage arg = be.allocate(DType.INT32, g.n() * g.c() * planeOut);
                be.maxPool2d(put(be, dtype, x), g, ys, arg);
                double[] y = be.toDoubleArray(ys);
                int[] argmax = be.toIntArray(arg);
                for (int q = 0; q < y.length; q++) {
                    int p = q / planeOut;
                    int want = firstMaximum(x, p * planeIn, g, q % planeOut / g.outW(), q % g.outW());
                    String where = "maxPool2d " + dtype + " " + g + ", output " + q;
                    assertEquals(want, argmax[q], where);
                    double v = x[p * planeIn + want];
                    assertTrue(Double.isNaN(v) ? Double.isNaN(y[q]) : Double.compare(v, y[q]) == 0,
                            where + ": expected " + v + ", got " + y[q]);
                }
            }
        }
    }

    /**
     * Max pooling's rule written out, for the tests of every backend's kernels: the index in its plane
     * (from {@code plane}) of the first maximum or first NaN of output window (i, j), cells in the
     * padding skipped.
     *
     * @param x     the input planes
     * @param plane where the plane starts in x
     * @param g     the pooling geometry
     * @param i     the output row
     * @param j     the output column
     * @return the index within the plane
     */
    public static int firstMaximum(double[] x, int plane, ConvGeometry g, int i, int j) {
        int arg = -1;
        for (int a = 0; a < g.kh(); a++) {
            for (int b = 0; b < g.kw(); b++) {
                int ih = i * g.strideH() - g.padH() + a * g.dilH();
                int iw = j * g.strideW() - g.padW() + b * g.dilW();
                if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
                    continue;
                }
                int rel = ih * g.w() + iw;
                double v = x[plane + rel];
                double best = arg < 0 ? 0 : x[plane + arg];
                if (arg < 0 || v > best || (Double.isNaN(v) && !Double.isNaN(best))) {
                    arg = rel;
                }
            }
        }
        return arg;
    }

    // ---- gather / scatter ------------------------------------------------------------------------

    @Test
    void indexSelectGathersAndIndexAddScattersWithRepeats() {
        Backend be = backend();
        int outer = 2;
        int n = 5;
        int inner = 3;
        int[] index = {4, 0, 4, 2};
        int m = index.length;
        Storage idx = be.fromArray(index);
        for (DType dtype : DType.values()) {
            double[] x = as(dtype, uniform(41, outer * n * inner, -9, 9));
            double[] sel = new double[outer * m * inner];
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < inner; i++) {
                        sel[(o * m + j) * inner + i] = x[(o * n + index[j]) * inner + i];
                    }
                }
            }
            Storage out = be.allocate(dtype, sel.length);
            be.indexSelect(put(be, dtype, x), outer, n, inner, idx, m, out);
            close("indexSelect", dtype, sel, be.toDoubleArray(out));
            if (dtype == DType.INT32) {
                continue;
            }
            double[] gy = as(dtype, uniform(42, sel.length, -1, 1));
            double[] gx = new double[x.length];
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < inner; i++) {
                        gx[(o * n + index[j]) * inner + i] += gy[(o * m + j) * inner + i];
                    }
                }
            }
            Storage gxs = put(be, dtype, uniform(43, x.length, -1, 1));
            be.indexAdd(put(be, dtype, gy), outer, n, inner, idx, m, gxs);
            close("indexAdd", dtype, gx, be.toDoubleArray(gxs));
        }
    }

    // ---- random ----------------------------------------------------------------------------------

    @Test
    void randomIsCounterBasedAndHasItsDistribution() {
        Backend be = backend();
        int n = 200_003;
        for (DType dtype : FLOATING) {
            for (boolean normal : new boolean[] {false, true}) {
                double a = normal ? 0.5 : -2;
                double b = normal ? 2 : 3;
                Storage s = be.allocate(dtype, n);
                be.random(s, normal, a, b, 42);
                double[] v = be.toDoubleArray(s);
                Storage prefix = be.allocate(dtype, 17);
                be.random(prefix, normal, a, b, 42);
                close("random prefix", dtype, java.util.Arrays.copyOf(v, 17), be.toDoubleArray(prefix));
                Storage other = be.allocate(dtype, 17);
                be.random(other, normal, a, b, 43);
                assertTrue(!java.util.Arrays.equals(be.toDoubleArray(other), be.toDoubleArray(prefix)),
                        "random: another seed gives other values");
                double mean = 0;
                double sq = 0;
                for (double x : v) {
                    // float32 may round a value just below b up to b
                    boolean inside = x >= a && (x < b || dtype == DType.FLOAT32 && x == b);
                    assertTrue(normal || inside, "random uniform " + dtype + ": " + x + " outside [a, b)");
                    mean += x / n;
                    sq += x * x / n;
                }
                double sd = Math.sqrt(sq - mean * mean);
                double wantMean = normal ? a : (a + b) / 2;
                double wantSd = normal ? b : (b - a) / Math.sqrt(12);
                assertEquals(wantMean, mean, 0.02, "random mean " + dtype + " normal=" + normal);
                assertEquals(wantSd, sd, 0.02, "random deviation " + dtype + " normal=" + normal);
            }
        }
    }

    // ---- capabilities against their composed fallbacks -------------------------------------------

    /** The values of t in double. */
    private static double[] host(Tensor t) {
        return t.toDoubleArray();
    }

    /** A leaf tensor of {@code be} that records its gradient. */
    private static Tensor leaf(Backend be, DType dtype, double[] v, int... shape) {
        return Tensor.wrap(put(be, dtype, v), shape).requiresGrad(true);
    }

    /** Softmax or log-softmax and its gradient on {@code be}: [y, gx]. */
    private static double[][] softmaxRun(Backend be, DType dtype, boolean log, int axis, double[] x, double[] gy,
                                         int[] shape) {
        Tensor xt = leaf(be, dtype, x, shape);
        Tensor y = log ? xt.logSoftmax(axis) : xt.softmax(axis);
        y.backward(Tensor.wrap(put(be, dtype, gy), shape));
        return new double[][] {host(y), host(xt.grad())};
    }

    @Test
    void softmaxCapabilityMatchesTheComposedFallback() {
        Backend be = backend();
        Backend plain = new PrimitiveBackend(be);
        int[][] shapes = {{3, 7, 5}, {4, 10}, {2, 1031}};
        for (DType dtype : FLOATING) {
            for (int[] shape : shapes) {
                for (boolean log : new boolean[] {false, true}) {
                    int n = prod(shape);
                    double[] x = as(dtype, uniform(51, n, -4, 4));
                    double[] gy = as(dtype, uniform(52, n, -1, 1));
                    double[][] composed = softmaxRun(plain, dtype, log, 1, x, gy, shape);
                    double[] reference = referenceSoftmax(x, shape, log);
                    String what = (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(shape);
                    close(what + " (composed)", dtype, reference, composed[0]);
                    if (be.capability(Fused.Softmax.class).isPresent()) {
                        double[][] fused = softmaxRun(be, dtype, log, 1, x, gy, shape);
                        close(what + " (fused)", dtype, composed[0], fused[0]);
                        close(what + " gradient (fused)", dtype, composed[1], fused[1]);
                    }
                }
            }
        }
    }

    /** (Log-)softmax along axis 1 of x in double. */
    private static double[] referenceSoftmax(double[] x, int[] shape, boolean log) {
        int n = shape[1];
        int inner = shape.length > 2 ? shape[2] : 1;
        int outer = shape[0];
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, x[(o * n + k) * inner + i]);
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += Math.exp(x[(o * n + k) * inner + i] - max);
                }
                for (int k = 0; k < n; k++) {
                    int f = (o * n + k) * inner + i;
                    y[f] = log ? x[f] - max - Math.log(sum) : Math.exp(x[f] - max) / sum;
                }
            }
        }
        return y;
    }

    /** Per-sample (scale 0) or reduced softmax cross-entropy and its gradient on {@code be}: [loss, gx]. */
    private static double[][] crossEntropyRun(Backend be, DType dtype, double[] logits, int[] labels, int n, int c,
                                              double scale, double[] gLoss) {
        Tensor x = leaf(be, dtype, logits, n, c);
        Tensor y = Tensor.wrap(be.fromArray(labels), n);
        Tensor loss = scale == 0 ? SoftmaxCrossEntropy.apply(x, y) : SoftmaxCrossEntropy.reduced(x, y, scale);
        loss.backward(scale == 0 ? Tensor.wrap(put(be, dtype, gLoss), n) : Tensor.wrap(put(be, dtype, gLoss)));
        return new double[][] {host(loss), host(x.grad())};
    }

    @Test
    void crossEntropyCapabilityMatchesTheComposedFallback() {
        Backend be = backend();
        Backend plain = new PrimitiveBackend(be);
        int[][] sizes = {{1, 1}, {5, 3}, {64, 10}, {7, 1031}};
        for (DType dtype : FLOATING) {
            for (int[] nc : sizes) {
                int n = nc[0];
                int c = nc[1];
                double[] logits = as(dtype, uniform(61, n * c, -5, 5));
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = (i * 7 + 3) % c;
                }
                double[] logP = referenceSoftmax(logits, new int[] {n, c}, true);
                double[] perSample = new double[n];
                for (int i = 0; i < n; i++) {
                    perSample[i] = -logP[i * c + labels[i]];
                }
                for (double scale : new double[] {0, 1.0 / n}) {
                    double[] gLoss = as(dtype, scale == 0 ? uniform(62, n, -1, 1) : new double[] {0.75});
                    double[][] composed = crossEntropyRun(plain, dtype, logits, labels, n, c, scale, gLoss);
                    String what = "softmax cross-entropy " + n + "x" + c + (scale == 0 ? " per sample" : " mean");
                    double[] expected = perSample;
                    if (scale != 0) {
                        double sum = 0;
                        for (double v : perSample) {
                            sum += v;
                        }
                        expected = new double[] {sum * scale};
                    }
                    close(what + " (composed)", dtype, expected, composed[0], Math.sqrt(n));
                    if (be.capability(Fused.CrossEntropy.class).isPresent()) {
                        double[][] fused = crossEntropyRun(be, dtype, logits, labels, n, c, scale, gLoss);
                        close(what + " (fused)", dtype, composed[0], fused[0], Math.sqrt(n));
                        close(what + " gradient (fused)", dtype, composed[1], fused[1]);
                    }
                }
            }
        }
    }

    @Test
    void composedCrossEntropyGivesNaNForALabelOutOfRange() {
        Backend plain = new PrimitiveBackend(backend());
        Tensor x = Tensor.wrap(put(plain, DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6}), 2, 3);
        Tensor loss = SoftmaxCrossEntropy.apply(x, Tensor.wrap(plain.fromArray(new int[] {1, 3}), 2));
        double[] v = host(loss);
        assertTrue(Double.isFinite(v[0]) && Double.isNaN(v[1]), "losses " + java.util.Arrays.toString(v));
    }

    /** conv2d and the gradients of x, w and b on {@code be}. */
    private static List<double[]> convRun(Backend be, DType dtype, double[][] xwb, int[][] shapes, int[] stride,
                                          int[] pad, int[] dil, double[] gy, int[] yShape) {
        Tensor x = leaf(be, dtype, xwb[0], shapes[0]);
        Tensor w = leaf(be, dtype, xwb[1], shapes[1]);
        Tensor b = leaf(be, dtype, xwb[2], shapes[2]);
        Tensor y = x.conv2d(w, b, stride, pad, dil);
        assertArrayEquals(yShape, y.shape(), "conv2d output shape");
        y.backward(Tensor.wrap(put(be, dtype, gy), yShape));
        return List.of(host(y), host(x.grad()), host(w.grad()), host(b.grad()));
    }

    @Test
    void conv2dCapabilityMatchesIm2colAndMatmul() {
        Backend be = backend();
        if (be.capability(Fused.Conv2d.class).isEmpty()) {
            return;
        }
        Backend plain = new PrimitiveBackend(be);
        int[][] shapes = {{2, 3, 9, 8}, {4, 3, 3, 2}, {4}};
        int[] stride = {2, 1};
        int[] pad = {1, 0};
        int[] dil = {1, 2};
        ConvGeometry g = new ConvGeometry(2, 3, 9, 8, 3, 2, 2, 1, 1, 0, 1, 2);
        int[] yShape = {2, 4, g.outH(), g.outW()};
        for (DType dtype : FLOATING) {
            double[][] xwb = {as(dtype, uniform(71, prod(shapes[0]), -1, 1)),
                    as(dtype, uniform(72, prod(shapes[1]), -1, 1)), as(dtype, uniform(73, 4, -1, 1))};
            double[] gy = as(dtype, uniform(74, prod(yShape), -1, 1));
            List<double[]> composed = convRun(plain, dtype, xwb, shapes, stride, pad, dil, gy, yShape);
            List<double[]> fused = convRun(be, dtype, xwb, shapes, stride, pad, dil, gy, yShape);
            String[] names = {"conv2d", "conv2d gx", "conv2d gw", "conv2d gb"};
            for (int i = 0; i < names.length; i++) {
                close(names[i] + " (fused)", dtype, composed.get(i), fused.get(i), 10);
            }
        }
    }

    /** An LSTM's output and every gradient on {@code device}, from the same seed. */
    private static List<double[]> lstmRun(Device device, DType dtype, double[] x, double[] gy, int[] xShape) {
        return recurrentRun(new LSTM(xShape[2], 6, RecurrentOptions.defaults(), 5), device, dtype, x, gy, xShape);
    }

    /** A recurrent layer's output (6 wide) and every gradient on {@code device}. */
    private static List<double[]> recurrentRun(RecurrentLayer layer, Device device, DType dtype, double[] x,
                                               double[] gy, int[] xShape) {
        layer.to(dtype);
        layer.to(device);
        Tensor xt = Tensor.wrap(put(Backends.get(device), dtype, x), xShape).requiresGrad(true);
        Tensor y = layer.forward(xt);
        y.backward(Tensor.wrap(put(Backends.get(device), dtype, gy), y.shape()));
        List<double[]> r = new java.util.ArrayList<>();
        r.add(host(y));
        r.add(host(xt.grad()));
        for (Parameter p : layer.parameters()) {
            r.add(host(p.grad()));
        }
        return r;
    }

    @Test
    void lstmCapabilityMatchesTheComposedRecurrence() {
        Backend be = backend();
        if (be.capability(Fused.Lstm.class).isEmpty()) {
            return;
        }
        int[] xShape = {5, 3, 4};
        for (DType dtype : FLOATING) {
            double[] x = as(dtype, uniform(81, prod(xShape), -1, 1));
            double[] gy = as(dtype, uniform(82, 5 * 3 * 6, -1, 1));
            List<double[]> composed = lstmRun(PrimitiveBackend.DEVICE, dtype, x, gy, xShape);
            List<double[]> fused = lstmRun(be.device(), dtype, x, gy, xShape);
            for (int i = 0; i < composed.size(); i++) {
                close("lstm output/gradient " + i + " (fused)", dtype, composed.get(i), fused.get(i), 10);
            }
        }
    }

    @Test
    void gruCapabilityMatchesTheComposedRecurrence() {
        Backend be = backend();
        if (be.capability(Fused.Gru.class).isEmpty()) {
            return;
        }
        int[] xShape = {5, 3, 4};
        for (DType dtype : FLOATING) {
            double[] x = as(dtype, uniform(83, prod(xShape), -1, 1));
            double[] gy = as(dtype, uniform(84, 5 * 3 * 6, -1, 1));
            List<double[]> composed = recurrentRun(new GRU(xShape[2], 6, RecurrentOptions.defaults(), 6),
                    PrimitiveBackend.DEVICE, dtype, x, gy, xShape);
            List<double[]> fused = recurrentRun(new GRU(xShape[2], 6, RecurrentOptions.defaults(), 6), be.device(),
                    dtype, x, gy, xShape);
            for (int i = 0; i < composed.size(); i++) {
                close("gru output/gradient " + i + " (fused)", dtype, composed.get(i), fused.get(i), 10);
            }
        }
    }

    @Test
    void rnnCapabilityMatchesTheComposedRecurrence() {
        Backend be = backend();
        if (be.capability(Fused.Rnn.class).isEmpty()) {
            return;
        }
        int[] xShape = {5, 3, 4};
        for (DType dtype : FLOATING) {
            for (RNN.Nonlinearity act : RNN.Nonlinearity.values()) {
                double[] x = as(dtype, uniform(85, prod(xShape), -1, 1));
                double[] gy = as(dtype, uniform(86, 5 * 3 * 6, -1, 1));
                List<double[]> composed = recurrentRun(new RNN(xShape[2], 6, act, RecurrentOptions.defaults(), 7),
                        PrimitiveBackend.DEVICE, dtype, x, gy, xShape);
                List<double[]> fused = recurrentRun(new RNN(xShape[2], 6, act, RecurrentOptions.defaults(), 7),
                        be.device(), dtype, x, gy, xShape);
                for (int i = 0; i < composed.size(); i++) {
                    close("rnn " + act + " output/gradient " + i + " (fused)", dtype, composed.get(i), fused.get(i),
                            10);
                }
            }
        }
    }

    /**
     * A recurrent layer's output, final states and the gradients of the input, the initial states
     * and every parameter on {@code device}, from loss = sum(y gy) + sum(hN gh) (+ sum(cN gc)): the
     * final states' gradients reach the fused backward (the final c's included), and the initial
     * states' gradients are asked for.
     */
    private static List<double[]> recurrentStatesRun(RecurrentLayer layer, Device device, DType dtype, double[] x,
                                                     int[] xShape, long seed) {
        layer.to(dtype);
        layer.to(device);
        Backend be = Backends.get(device);
        int states = layer.options().numLayers() * layer.options().directions();
        int batch = xShape[layer.options().batchFirst() ? 0 : 1];
        int[] stateShape = {states, batch, layer.hiddenSize()};
        int stateSize = prod(stateShape);
        boolean lstm = layer instanceof LSTM;
        Tensor xt = leaf(be, dtype, x, xShape);
        Tensor h0 = leaf(be, dtype, as(dtype, uniform(seed, stateSize, -1, 1)), stateShape);
        Tensor c0 = lstm ? leaf(be, dtype, as(dtype, uniform(seed + 1, stateSize, -1, 1)), stateShape) : null;
        RecurrentOutput out = layer.forward(xt, lstm ? RecurrentState.of(h0, c0) : RecurrentState.of(h0));
        Tensor y = out.output();
        Tensor loss = y.mul(Tensor.wrap(put(be, dtype, as(dtype, uniform(seed + 2, y.numel(), -1, 1))), y.shape()))
                .sum().add(out.h().mul(Tensor.wrap(put(be, dtype, as(dtype, uniform(seed + 3, stateSize, -1, 1))),
                        stateShape)).sum());
        if (lstm) {
            loss = loss.add(out.c().mul(Tensor.wrap(put(be, dtype, as(dtype, uniform(seed + 4, stateSize, -1, 1))),
                    stateShape)).sum());
        }
        loss.backward();
        List<double[]> r = new java.util.ArrayList<>();
        r.add(host(y));
        r.add(host(out.h()));
        r.add(host(xt.grad()));
        r.add(host(h0.grad()));
        if (lstm) {
            r.add(host(out.c()));
            r.add(host(c0.grad()));
        }
        for (Parameter p : layer.parameters()) {
            r.add(host(p.grad()));
        }
        return r;
    }

    /** The recurrent layer {@code kind} (0 LSTM, 1 GRU, 2 RNN tanh, 3 RNN relu) with these options and seed. */
    private static RecurrentLayer recurrentLayer(int kind, int input, int hidden, RecurrentOptions options, long seed) {
        return switch (kind) {
            case 0 -> new LSTM(input, hidden, options, seed);
            case 1 -> new GRU(input, hidden, options, seed);
            default -> new RNN(input, hidden, kind == 2 ? RNN.Nonlinearity.TANH : RNN.Nonlinearity.RELU, options,
                    seed);
        };
    }

    @Test
    void recurrentCapabilitiesMatchTheComposedRecurrenceReversedWithoutBiasAndAtOddSizes() {
        Backend be = backend();
        List<Class<? extends Capability>> capabilities = List.of(Fused.Lstm.class, Fused.Gru.class, Fused.Rnn.class,
                Fused.Rnn.class);
        String[] names = {"lstm", "gru", "rnn tanh", "rnn relu"};
        // {T, N, input, H} and the options: the reverse direction of a bidirectional layer over a
        // hidden size that is not a multiple of a warp; one step of one sample without biases, through
        // two layers; two bidirectional layers with the batch first.
        int[][] sizes = {{6, 3, 5, 37}, {1, 1, 3, 5}, {4, 5, 2, 9}};
        RecurrentOptions[] options = {RecurrentOptions.defaults().withBidirectional(true),
                RecurrentOptions.defaults().withBias(false).withNumLayers(2),
                RecurrentOptions.defaults().withBidirectional(true).withNumLayers(2).withBatchFirst(true)};
        for (int kind = 0; kind < names.length; kind++) {
            if (be.capability(capabilities.get(kind)).isEmpty()) {
                continue;
            }
            for (int c = 0; c < sizes.length; c++) {
                int[] sz = sizes[c];
                RecurrentOptions o = options[c];
                int[] xShape = o.batchFirst() ? new int[] {sz[1], sz[0], sz[2]} : new int[] {sz[0], sz[1], sz[2]};
                for (DType dtype : FLOATING) {
                    long seed = 90 + 10L * c + kind;
                    double[] x = as(dtype, uniform(seed, prod(xShape), -1, 1));
                    List<double[]> composed = recurrentStatesRun(recurrentLayer(kind, sz[2], sz[3], o, seed),
                            PrimitiveBackend.DEVICE, dtype, x, xShape, seed);
                    List<double[]> fused = recurrentStatesRun(recurrentLayer(kind, sz[2], sz[3], o, seed),
                            be.device(), dtype, x, xShape, seed);
                    assertEquals(composed.size(), fused.size(), names[kind] + ": results");
                    for (int i = 0; i < composed.size(); i++) {
                        close(names[kind] + " " + java.util.Arrays.toString(sz) + " " + o + " output/gradient " + i
                                + " (fused)", dtype, composed.get(i), fused.get(i), 10);
                    }
                }
            }
        }
    }

    /** Layer norm of x [rows, n] and the gradients of x, weight and bias on {@code be}. */
    private static List<double[]> layerNormRun(Backend be, DType dtype, double[][] xwb, double[] gy, int rows, int n) {
        Tensor x = leaf(be, dtype, xwb[0], rows, n);
        Tensor w = leaf(be, dtype, xwb[1], n);
        Tensor b = leaf(be, dtype, xwb[2], n);
        Tensor y = LayerNorm.apply(x, w, b, 1e-5);
        y.backward(Tensor.wrap(put(be, dtype, gy), rows, n));
        return List.of(host(y), host(x.grad()), host(w.grad()), host(b.grad()));
    }

    @Test
    void layerNormCapabilityMatchesTheComposedFallback() {
        Backend be = backend();
        if (be.capability(Fused.LayerNorm.class).isEmpty()) {
            return;
        }
        Backend plain = new PrimitiveBackend(be);
        // One element; rows shorter than a warp; a warp and one; more than a block; many rows.
        int[][] sizes = {{1, 1}, {3, 7}, {5, 33}, {4, 300}, {2, 1031}, {257, 16}};
        for (DType dtype : FLOATING) {
            for (int[] rn : sizes) {
                int rows = rn[0];
                int n = rn[1];
                // Rows far from zero mean: the centring must happen before the squares are summed.
                double[][] xwb = {as(dtype, uniform(101, rows * n, 2, 6)), as(dtype, uniform(102, n, 0.5, 1.5)),
                        as(dtype, uniform(103, n, -1, 1))};
                double[] gy = as(dtype, uniform(104, rows * n, -1, 1));
                List<double[]> composed = layerNormRun(plain, dtype, xwb, gy, rows, n);
                List<double[]> fused = layerNormRun(be, dtype, xwb, gy, rows, n);
                String[] names = {"y", "gx", "gWeight", "gBias"};
                for (int i = 0; i < names.length; i++) {
                    close("layerNorm " + rows + "x" + n + " " + names[i] + " (fused)", dtype, composed.get(i),
                            fused.get(i), 10);
                }
                // The saved statistics, against double math on the host.
                Storage mean = be.allocate(dtype, rows);
                Storage rstd = be.allocate(dtype, rows);
                be.capability(Fused.LayerNorm.class).get().layerNorm(put(be, dtype, xwb[0]), put(be, dtype, xwb[1]),
                        put(be, dtype, xwb[2]), rows, n, 1e-5, be.allocate(dtype, rows * n), mean, rstd);
                double[] mu = new double[rows];
                double[] rs = new double[rows];
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += xwb[0][r * n + j];
                    }
                    mu[r] = s / n;
                    double v = 0;
                    for (int j = 0; j < n; j++) {
                        double d = xwb[0][r * n + j] - mu[r];
                        v += d * d;
                    }
                    rs[r] = 1 / Math.sqrt(v / n + 1e-5);
                }
                close("layerNorm " + rows + "x" + n + " mean", dtype, mu, be.toDoubleArray(mean));
                close("layerNorm " + rows + "x" + n + " rstd", dtype, rs, be.toDoubleArray(rstd), 10);
            }
        }
    }

    @Test
    void dropoutMaskCapabilityGivesTheComposedMaskBitForBit() {
        Backend be = backend();
        if (be.capability(Fused.DropoutMask.class).isEmpty()) {
            return;
        }
        Fused.DropoutMask fused = be.capability(Fused.DropoutMask.class).get();
        for (int size : new int[] {0, 1, 7, 1031, 70001}) {
            for (double p : new double[] {0, 0.1, 0.5, 1.0 / 3, 0.9}) {
                for (long seed : new long[] {0, 12345, -7}) {
                    Storage mask = be.allocate(DType.FLOAT32, size);
                    fused.dropoutMask(mask, p, seed);
                    float[] got = be.toFloatArray(mask);
                    assertEquals(size, got.length, "dropoutMask size");
                    if (size == 0) {
                        continue;
                    }
                    // Tensor.dropoutMask's composition: rand(seed).ge(p).mul(1 / (1 - p)), as primitives.
                    Storage u = be.allocate(DType.FLOAT32, size);
                    be.random(u, false, 0, 1, seed);
                    Storage threshold = be.allocate(DType.FLOAT32, 1);
                    be.fill(threshold, p);
                    Storage kept = be.allocate(DType.FLOAT32, size);
                    be.binary(BinaryOp.GE, u, new int[] {size}, threshold, new int[] {1}, kept, new int[] {size});
                    Storage composed = be.allocate(DType.FLOAT32, size);
                    be.unary(UnaryOp.SCALE, 1 / (1 - p), kept, composed);
                    float[] want = be.toFloatArray(composed);
                    int zeros = 0;
                    for (int i = 0; i < size; i++) {
                        if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                            fail("dropoutMask size " + size + ", p " + p + ", seed " + seed + ": element " + i
                                    + " is " + got[i] + ", the composed mask has " + want[i]);
                        }
                        zeros += got[i] == 0 ? 1 : 0;
                    }
                    if (size == 70001) {
                        // About p of the elements are dropped (the binomial's sd is under 0.002 here).
                        assertEquals(p, zeros / (double) size, 0.01, "dropoutMask: share of zeros at p " + p);
                    }
                }
            }
        }
    }
}
