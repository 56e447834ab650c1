package org.trainer.core.backend.cpu;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.Transfers;
import org.trainer.core.backend.UnaryOp;

/**
 * The default backend: plain Java arrays, loops the JIT vectorises, and a fork-join pool sized to
 * the cores ({@link Parallel}). float32 has fast paths; float64 (gradient checks) takes the
 * reference scalar definitions in {@link UnaryOp} and {@link BinaryOp}.
 */
public final class CpuBackend implements Backend, Fused.Softmax, Fused.CrossEntropy, Fused.Conv2d, Fused.Lstm,
        Fused.Gru, Fused.Rnn, Fused.Sgd, Fused.Adam, Fused.Rmsprop, Fused.Adagrad, Fused.DropoutMask,
        Fused.LayerNorm {
    /** Elements per parallel chunk below which splitting costs more than it saves. */
    private static final int GRAIN = 1 << 15;
    /**
     * Multiply-adds below which one product of a batch runs on one thread (SGEMM's own threshold
     * for splitting a product), so that a batch of them is split by product instead.
     */
    private static final long SMALL_PRODUCT = 1L << 23;

    /** The backend; without the Vector API module it says so once on standard error ({@link VectorSupport}). */
    public CpuBackend() {
        VectorSupport.warnIfMissing();
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    static CpuStorage cpu(Storage s) {
        if (!(s instanceof CpuStorage c)) {
            throw new IllegalArgumentException("cpu backend: storage lives on another device: " + s);
        }
        return c;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> {
                warmUpFor(size);
                yield new CpuStorage(this, new float[size]);
            }
            case FLOAT64 -> new CpuStorage(this, new double[size]);
            case INT32 -> new CpuStorage(this, new int[size]);
        };
    }

    @Override
    public Storage fromArray(float[] data) {
        warmUpFor(data.length);
        return new CpuStorage(this, data.clone());
    }

    /**
     * Starts the kernels' warm-up ({@link KernelWarmUp}) for a float32 storage of at least
     * {@link KernelWarmUp#MIN_STORAGE} elements: a model or data set that size will run products
     * large enough to need it, and starting when its weights or data are created, before the first
     * step, gives the compiler a head start.
     */
    private void warmUpFor(int size) {
        if (size >= KernelWarmUp.MIN_STORAGE) {
            KernelWarmUp.startOnce(this);
        }
    }

    @Override
    public Storage fromArray(double[] data) {
        return new CpuStorage(this, data.clone());
    }

    @Override
    public Storage fromArray(int[] data) {
        return new CpuStorage(this, data.clone());
    }

    /** One bulk put from the storage's array: no intermediate copy. */
    @Override
    public void read(Storage s, Buffer dst) {
        CpuStorage c = cpu(s);
        Transfers.checkBuffer(c, dst);
        switch (c.dtype) {
            case FLOAT32 -> ((FloatBuffer) dst).put(c.f);
            case FLOAT64 -> ((DoubleBuffer) dst).put(c.d);
            case INT32 -> ((IntBuffer) dst).put(c.i);
        }
    }

    /** One bulk get into the storage's array: no intermediate copy. */
    @Override
    public void write(Storage s, Buffer src) {
        CpuStorage c = cpu(s);
        Transfers.checkBuffer("write", "src", c, src);
        switch (c.dtype) {
            case FLOAT32 -> ((FloatBuffer) src).get(c.f);
            case FLOAT64 -> ((DoubleBuffer) src).get(c.d);
            case INT32 -> ((IntBuffer) src).get(c.i);
        }
    }

    /** The other backend reads straight into this storage's array. */
    @Override
    public void copyFrom(Storage src, Storage dst) {
        CpuStorage c = cpu(dst);
        Transfers.checkCopy(src, c);
        Backend from = src.backend();
        switch (c.dtype) {
            case FLOAT32 -> from.read(src, FloatBuffer.wrap(c.f));
            case FLOAT64 -> from.read(src, DoubleBuffer.wrap(c.d));
            case INT32 -> from.read(src, IntBuffer.wrap(c.i));
        }
    }

    @Override
    public float[] toFloatArray(Storage s) {
        CpuStorage c = cpu(s);
        if (c.dtype == DType.FLOAT32) {
            return c.f.clone();
        }
        float[] r = new float[c.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = (float) c.get(k);
        }
        return r;
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        CpuStorage c = cpu(s);
        if (c.dtype == DType.FLOAT64) {
            return c.d.clone();
        }
        double[] r = new double[c.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = c.get(k);
        }
        return r;
    }

    @Override
    public int[] toIntArray(Storage s) {
        CpuStorage c = cpu(s);
        if (c.dtype == DType.INT32) {
            return c.i.clone();
        }
        int[] r = new int[c.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = (int) c.get(k);
        }
        return r;
    }

    @Override
    public Storage cast(Storage s, DType dtype) {
        Storage r = allocate(dtype, s.size());
        castInto(s, r);
        return r;
    }

    @Override
    public void castInto(Storage src, Storage dst) {
        CpuStorage c = cpu(src);
        CpuStorage r = cpu(dst);
        for (int k = 0; k < c.size(); k++) {
            r.set(k, c.get(k));
        }
    }

    @Override
    public void fill(Storage s, double value) {
        CpuStorage c = cpu(s);
        switch (c.dtype) {
            case FLOAT32 -> Arrays.fill(c.f, (float) value);
            case FLOAT64 -> Arrays.fill(c.d, value);
            case INT32 -> Arrays.fill(c.i, (int) value);
        }
    }

    @Override
    public void copy(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides,
                     int[] shape) {
        CpuStorage s = cpu(src);
        CpuStorage d = cpu(dst);
        int r = shape.length;
        int total = 1;
        for (int len : shape) {
            total *= len;
        }
        if (total == 0) {
            return;
        }
        if (r == 0) {
            Runs.copy(s, srcOffset, 1, d, dstOffset, 1, 1);
            return;
        }
        int inner = shape[r - 1];
        int rows = total / inner;
        int ss = srcStrides[r - 1];
        int ds = dstStrides[r - 1];
        Parallel.forRange(rows, Math.max(1, GRAIN / inner), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int so = srcOffset;
                int dof = dstOffset;
                int rem = row;
                for (int ax = r - 2; ax >= 0; ax--) {
                    int idx = rem % shape[ax];
                    rem /= shape[ax];
                    so += idx * srcStrides[ax];
                    dof += idx * dstStrides[ax];
                }
                Runs.copy(s, so, ss, d, dof, ds, inner);
            }
        });
    }

    @Override
    public void unary(UnaryOp op, double p, Storage x, Storage y) {
        CpuStorage xs = cpu(x);
        CpuStorage ys = cpu(y);
        Parallel.forRange(xs.size(), GRAIN, (k0, k1) -> {
            if (xs.dtype == DType.FLOAT32) {
                FloatKernels.unary(op, (float) p, xs.f, ys.f, k0, k1);
            } else {
                for (int k = k0; k < k1; k++) {
                    ys.d[k] = op.apply(xs.d[k], p);
                }
            }
        });
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Storage x, Storage y, Storage gy, Storage gx) {
        CpuStorage xs = cpu(x);
        CpuStorage ys = cpu(y);
        CpuStorage gys = cpu(gy);
        CpuStorage gxs = cpu(gx);
        Parallel.forRange(xs.size(), GRAIN, (k0, k1) -> {
            if (xs.dtype == DType.FLOAT32) {
                FloatKernels.unaryBackward(op, (float) p, xs.f, ys.f, gys.f, gxs.f, k0, k1);
            } else {
                for (int k = k0; k < k1; k++) {
                    gxs.d[k] = gys.d[k] * op.derivative(xs.d[k], ys.d[k], p);
                }
            }
        });
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape) {
        CpuStorage as = cpu(a);
        CpuStorage bs = cpu(b);
        CpuStorage os = cpu(out);
        Broadcast plan = Broadcast.of(outShape, outShape, aShape, bShape);
        int sa = plan.innerStride(1);
        int sb = plan.innerStride(2);
        forEachRun(plan, (oo, ao, bo, n) -> {
            if (os.dtype == DType.FLOAT32) {
                FloatKernels.binary(op, as.f, ao, sa, bs.f, bo, sb, os.f, oo, n);
            } else {
                for (int j = 0; j < n; j++) {
                    os.d[oo + j] = op.apply(as.d[ao + j * sa], bs.d[bo + j * sb]);
                }
            }
        });
    }

    @Override
    public void where(Storage cond, int[] condShape, Storage a, int[] aShape, Storage b, int[] bShape, Storage out,
                      int[] outShape) {
        CpuStorage cs = cpu(cond);
        CpuStorage as = cpu(a);
        CpuStorage bs = cpu(b);
        CpuStorage os = cpu(out);
        Broadcast plan = Broadcast.of(outShape, outShape, condShape, aShape, bShape);
        int sc = plan.innerStride(1);
        int sa = plan.innerStride(2);
        int sb = plan.innerStride(3);
        boolean rows = sc == 1 && sa == 1 && sb == 1 && cs.f != null && as.f != null && bs.f != null
                && os.f != null;
        Parallel.forRange(plan.outer, Math.max(1, GRAIN / plan.inner), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int oo = plan.offset(0, row);
                int co = plan.offset(1, row);
                int ao = plan.offset(2, row);
                int bo = plan.offset(3, row);
                if (rows) {
                    FloatKernels.select(cs.f, co, as.f, ao, bs.f, bo, os.f, oo, plan.inner);
                    continue;
                }
                for (int j = 0; j < plan.inner; j++) {
                    os.set(oo + j, cs.get(co + j * sc) != 0 ? as.get(ao + j * sa) : bs.get(bo + j * sb));
                }
            }
        });
    }

    /** A contiguous run of n output elements at oo, reading operands at ao and bo. */
    private interface Run {
        void apply(int oo, int ao, int bo, int n);
    }

    /** Visits the plan as runs, splitting long single runs so both cores work on large tensors. */
    private static void forEachRun(Broadcast plan, Run run) {
        int sa = plan.innerStride(1);
        int sb = plan.innerStride(2);
        if (plan.outer == 1) {
            Parallel.forRange(plan.inner, GRAIN, (j0, j1) -> run.apply(j0, j0 * sa, j0 * sb, j1 - j0));
            return;
        }
        Parallel.forRange(plan.outer, Math.max(1, GRAIN / plan.inner), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                run.apply(plan.offset(0, row), plan.offset(1, row), plan.offset(2, row), plan.inner);
            }
        });
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int outer, int n, int inner, Storage out) {
        CpuStorage xs = cpu(x);
        CpuStorage os = cpu(out);
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n * inner)), (o0, o1) -> {
            if (op == ReduceOp.SUM && xs.f != null) {
                FloatKernels.sumMiddle(xs.f, o0, o1, n, inner, os.f);
                return;
            }
            double[] acc = new double[inner];
            for (int o = o0; o < o1; o++) {
                int base = o * n * inner;
                for (int i = 0; i < inner; i++) {
                    acc[i] = xs.get(base + i);
                }
                for (int j = 1; j < n; j++) {
                    int row = base + j * inner;
                    for (int i = 0; i < inner; i++) {
                        double v = xs.get(row + i);
                        acc[i] = switch (op) {
                            case SUM -> acc[i] + v;
                            case MAX -> v > acc[i] || Double.isNaN(v) ? v : acc[i];
                            case MIN -> v < acc[i] || Double.isNaN(v) ? v : acc[i];
                        };
                    }
                }
                for (int i = 0; i < inner; i++) {
                    os.set(o * inner + i, acc[i]);
                }
            }
        });
    }

    @Override
    public void argReduce(boolean max, Storage x, int outer, int n, int inner, Storage out) {
        CpuStorage xs = cpu(x);
        CpuStorage os = cpu(out);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                int best = 0;
                double bv = xs.get(base);
                for (int j = 1; j < n && !Double.isNaN(bv); j++) {
                    double v = xs.get(base + j * inner);
                    if (max ? v > bv || Double.isNaN(v) : v < bv || Double.isNaN(v)) {
                        best = j;
                        bv = v;
                    }
                }
                os.i[o * inner + i] = best;
            }
        }
    }

    @Override
    public void matmul(boolean transA, boolean transB, int batch, int m, int n, int k,
                       Storage a, int aBatchStride, Storage b, int bBatchStride, Storage c, int cBatchStride,
                       boolean accumulate) {
        CpuStorage as = cpu(a);
        CpuStorage bs = cpu(b);
        CpuStorage cs = cpu(c);
        if ((long) batch * m * n * k >= KernelWarmUp.MIN_WORK) {
            KernelWarmUp.startOnce(this);
        }
        if (as.dtype == DType.FLOAT32 && batch > 1 && cBatchStride != 0
                && (long) m * n * k < SMALL_PRODUCT && Parallel.threads() > 1) {
            // Products too small to split (attention's per-head [64 x 32] x [32 x 64]) would each run
            // on one thread: split the batch instead. Each product is computed as gemm computes it.
            Parallel.forRange(batch, Math.max(1, (int) (SMALL_PRODUCT / Math.max(1L, (long) m * n * k))), (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    Sgemm.gemmSerial(transA, transB, m, n, k, as.f, i * aBatchStride, bs.f, i * bBatchStride, cs.f,
                            i * cBatchStride, accumulate);
                }
            });
            return;
        }
        for (int i = 0; i < batch; i++) {
            int ao = i * aBatchStride;
            int bo = i * bBatchStride;
            int co = i * cBatchStride;
            // With a C batch stride of 0 every product after the first adds into the same C.
            boolean acc = accumulate || (cBatchStride == 0 && i > 0);
            if (as.dtype == DType.FLOAT32) {
                Sgemm.gemm(transA, transB, m, n, k, as.f, ao, bs.f, bo, cs.f, co, acc);
            } else {
                dgemm(transA, transB, m, n, k, as.d, ao, bs.d, bo, cs.d, co, acc);
            }
        }
    }

    /** Double-precision product for gradient checks: a plain loop, exact enough, not fast. */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k,
                              double[] a, int ao, double[] b, int bo, double[] c, int co, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
                    double bv = transB ? b[bo + j * k + p] : b[bo + p * n + j];
                    s += av * bv;
                }
                c[co + i * n + j] = accumulate ? c[co + i * n + j] + s : s;
            }
        }
    }

    @Override
    public void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y) {
        CpuStorage xs = cpu(x);
        CpuStorage ys = cpu(y);
        if (xs.f != null && inner == 1) {
            Parallel.forRange(outer, Math.max(1, GRAIN / n), (r0, r1) -> softmaxRows(log, xs.f, ys.f, n, r0, r1));
            return;
        }
        Parallel.forRange(outer * inner, Math.max(1, GRAIN / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = (r / inner) * n * inner + r % inner;
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    mx = Math.max(mx, xs.get(base + j * inner));
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(xs.get(base + j * inner) - mx);
                }
                double logSum = Math.log(sum);
                for (int j = 0; j < n; j++) {
                    double z = xs.get(base + j * inner) - mx;
                    ys.set(base + j * inner, log ? z - logSum : Math.exp(z) / sum);
                }
            }
        });
    }

    /**
     * The general loop's arithmetic on contiguous float rows [r0, r1) of length n, with the same
     * results: each exp is evaluated once and kept (in double) for the normalisation, where the
     * general loop evaluates it twice.
     */
    private static void softmaxRows(boolean log, float[] x, float[] y, int n, int r0, int r1) {
        double[] e = SOFTMAX_ROW.get();
        if (e.length < n) {
            e = new double[n];
            SOFTMAX_ROW.set(e);
        }
        for (int r = r0; r < r1; r++) {
            int base = r * n;
            double mx = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                mx = Math.max(mx, x[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                e[j] = Math.exp(x[base + j] - mx);
                sum += e[j];
            }
            if (log) {
                double logSum = Math.log(sum);
                for (int j = 0; j < n; j++) {
                    y[base + j] = (float) (x[base + j] - mx - logSum);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    y[base + j] = (float) (e[j] / sum);
                }
            }
        }
    }

    /**
     * The general softmax backward's arithmetic on contiguous float rows [r0, r1) of length n, with
     * the same results (in double, rounded once), reading the arrays directly instead of through the
     * storage's per-element dispatch.
     */
    private static void softmaxBackwardRows(float[] y, float[] gy, float[] gx, int n, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int base = r * n;
            double dot = 0;
            for (int j = 0; j < n; j++) {
                dot += (double) gy[base + j] * y[base + j];
            }
            for (int j = 0; j < n; j++) {
                gx[base + j] = (float) (y[base + j] * (gy[base + j] - dot));
            }
        }
    }

    /** Per thread, one row of exponentials for {@link #softmaxRows}, grown on demand. */
    private static final ThreadLocal<double[]> SOFTMAX_ROW = ThreadLocal.withInitial(() -> new double[0]);

    @Override
    public void nllLoss(Storage logP, Storage labels, int n, int c, Storage loss) {
        CpuStorage lp = cpu(logP);
        int[] y = cpu(labels).i;
        CpuStorage out = cpu(loss);
        for (int r = 0; r < n; r++) {
            int label = y[r];
            if (label < 0 || label >= c) {
                throw new IllegalArgumentException("nllLoss: label at position " + r + " is " + label
                        + ", expected a class in [0, " + c + ")");
            }
            out.set(r, -lp.get(r * c + label));
        }
    }

    @Override
    public void crossEntropyBackward(Storage logP, Storage labels, Storage gLoss, double scale, int n, int c,
                                     Storage gx) {
        CpuStorage lp = cpu(logP);
        int[] y = cpu(labels).i;
        CpuStorage gl = cpu(gLoss);
        CpuStorage out = cpu(gx);
        boolean single = gl.size() == 1;
        boolean f32 = gl.dtype == DType.FLOAT32;
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, c)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                double g = gl.get(single ? 0 : r);
                // As a multiplication in the dtype rounds it (a float product is exact in double).
                g = f32 ? (float) (g * (float) scale) : g * scale;
                int base = r * c;
                for (int j = 0; j < c; j++) {
                    double e = Math.exp(lp.get(base + j)) * g;
                    out.set(base + j, j == y[r] ? e - g : e);
                }
            }
        });
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx) {
        CpuStorage ys = cpu(y);
        CpuStorage gys = cpu(gy);
        CpuStorage gxs = cpu(gx);
        if (!log && ys.f != null && inner == 1) {
            Parallel.forRange(outer, Math.max(1, GRAIN / n),
                    (r0, r1) -> softmaxBackwardRows(ys.f, gys.f, gxs.f, n, r0, r1));
            return;
        }
        Parallel.forRange(outer * inner, Math.max(1, GRAIN / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = (r / inner) * n * inner + r % inner;
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    int q = base + j * inner;
                    // log: sum of gy; softmax: sum of gy * y
                    dot += log ? gys.get(q) : gys.get(q) * ys.get(q);
                }
                for (int j = 0; j < n; j++) {
                    int q = base + j * inner;
                    double g = log ? gys.get(q) - Math.exp(ys.get(q)) * dot : ys.get(q) * (gys.get(q) - dot);
                    gxs.set(q, g);
                }
            }
        });
    }

    /** Fused for float32 storages ({@link CpuConv}); float64 goes through im2col and matmul. */
    @Override
    public boolean conv2d(Storage x, Storage w, Storage bias, ConvGeometry g, int oc, Storage y) {
        CpuStorage xs = cpu(x);
        if (xs.f == null) {
            return false;
        }
        KernelWarmUp.used(KernelWarmUp.Family.CONVOLUTION);
        KernelWarmUp.startOnce(this);
        CpuConv.forward(xs.f, cpu(w).f, bias == null ? null : cpu(bias).f, g, oc, cpu(y).f);
        return true;
    }

    @Override
    public boolean conv2dBackward(Storage x, Storage w, Storage gy, ConvGeometry g, int oc, Storage gx, Storage gw,
                                  Storage gb) {
        CpuStorage xs = cpu(x);
        if (xs.f == null) {
            return false;
        }
        KernelWarmUp.used(KernelWarmUp.Family.CONVOLUTION);
        CpuConv.backward(xs.f, cpu(w).f, cpu(gy).f, g, oc, gx == null ? null : cpu(gx).f,
                gw == null ? null : cpu(gw).f, gb == null ? null : cpu(gb).f);
        return true;
    }

    @Override
    public void im2col(Storage x, ConvGeometry g, Storage col) {
        ConvKernels.im2col(cpu(x), g, cpu(col));
    }

    @Override
    public void col2im(Storage col, ConvGeometry g, Storage gx) {
        ConvKernels.col2im(cpu(col), g, cpu(gx));
    }

    @Override
    public boolean lstmForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                               Storage h0, Storage c0, Storage out, Storage cs, Storage gates) {
        if (xProj.dtype() == DType.INT32) {
            return false;
        }
        CpuLstm.forward(steps, n, hidden, reverse, cpu(xProj), cpu(wHh), bHh == null ? null : cpu(bHh), cpu(h0),
                cpu(c0), cpu(out), cpu(cs), cpu(gates));
        return true;
    }

    @Override
    public boolean lstmBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage c0,
                                Storage out, Storage cs, Storage gates, Storage gOut, Storage gxProj, Storage gw,
                                Storage gb, Storage gh0, Storage gc0, Storage dh, Storage dc) {
        if (gOut.dtype() == DType.INT32) {
            return false;
        }
        CpuLstm.backward(steps, n, hidden, reverse, cpu(wHh), cpu(h0), cpu(c0), cpu(out), cpu(cs), cpu(gates),
                cpu(gOut), cpu(gxProj), gw == null ? null : cpu(gw), gb == null ? null : cpu(gb),
                gh0 == null ? null : cpu(gh0), gc0 == null ? null : cpu(gc0), cpu(dh), cpu(dc));
        return true;
    }

    @Override
    public boolean gruForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                              Storage h0, Storage out, Storage gates, Storage hn) {
        if (xProj.dtype() == DType.INT32) {
            return false;
        }
        CpuGru.forward(steps, n, hidden, reverse, cpu(xProj), cpu(wHh), bHh == null ? null : cpu(bHh), cpu(h0),
                cpu(out), cpu(gates), cpu(hn));
        return true;
    }

    @Override
    public boolean gruBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage out,
                               Storage gates, Storage hn, Storage gOut, Storage gxProj, Storage gp, Storage gw,
                               Storage gb, Storage gh0, Storage dh) {
        if (gOut.dtype() == DType.INT32) {
            return false;
        }
        CpuGru.backward(steps, n, hidden, reverse, cpu(wHh), cpu(h0), cpu(out), cpu(gates), cpu(hn), cpu(gOut),
                cpu(gxProj), cpu(gp), gw == null ? null : cpu(gw), gb == null ? null : cpu(gb),
                gh0 == null ? null : cpu(gh0), cpu(dh));
        return true;
    }

    @Override
    public boolean rnnForward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage xProj, Storage wHh,
                              Storage bHh, Storage h0, Storage out) {
        if (xProj.dtype() == DType.INT32) {
            return false;
        }
        CpuRnn.forward(steps, n, hidden, reverse, relu, cpu(xProj), cpu(wHh), bHh == null ? null : cpu(bHh), cpu(h0),
                cpu(out));
        return true;
    }

    @Override
    public boolean rnnBackward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage wHh, Storage h0,
                               Storage out, Storage gOut, Storage gxProj, Storage gw, Storage gb, Storage gh0,
                               Storage dh) {
        if (gOut.dtype() == DType.INT32) {
            return false;
        }
        CpuRnn.backward(steps, n, hidden, reverse, relu, cpu(wHh), cpu(h0), cpu(out), cpu(gOut), cpu(gxProj),
                gw == null ? null : cpu(gw), gb == null ? null : cpu(gb), gh0 == null ? null : cpu(gh0), cpu(dh));
        return true;
    }

    @Override
    public void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax) {
        ConvKernels.maxPool(cpu(x), g, cpu(y), cpu(argmax));
    }

    @Override
    public void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx) {
        CpuStorage gys = cpu(gy);
        CpuStorage idx = cpu(argmax);
        CpuStorage gxs = cpu(gx);
        fill(gxs, 0);
        int planeIn = g.h() * g.w();
        int planeOut = g.outH() * g.outW();
        // Windows of one plane may overlap, so each plane is summed by one thread.
        Parallel.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                if (gxs.f != null) {
                    scatterAdd(gys.f, idx.i, p * planeOut, planeOut, gxs.f, p * planeIn);
                    continue;
                }
                for (int q = p * planeOut; q < (p + 1) * planeOut; q++) {
                    int t = p * planeIn + idx.i[q];
                    gxs.set(t, gxs.get(t) + gys.get(q));
                }
            }
        });
    }

    /** {@code dst[dstOff + index[q]] += src[q]} for q in [from, from + count), in order. */
    private static void scatterAdd(float[] src, int[] index, int from, int count, float[] dst, int dstOff) {
        for (int q = from; q < from + count; q++) {
            dst[dstOff + index[q]] += src[q];
        }
    }

    @Override
    public void avgPool2d(Storage x, ConvGeometry g, Storage y) {
        ConvKernels.avgPool(cpu(x), g, cpu(y), false);
    }

    @Override
    public void avgPool2dBackward(Storage gy, ConvGeometry g, Storage gx) {
        fill(gx, 0);
        ConvKernels.avgPool(cpu(gx), g, cpu(gy), true);
    }

    @Override
    public void indexSelect(Storage x, int outer, int n, int inner, Storage index, int m, Storage out) {
        CpuStorage xs = cpu(x);
        CpuStorage idx = cpu(index);
        CpuStorage os = cpu(out);
        Parallel.forRange(outer * m, Math.max(1, GRAIN / inner), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r / m;
                int j = r % m;
                Runs.copy(xs, (o * n + idx.i[j]) * inner, 1, os, r * inner, 1, inner);
            }
        });
    }

    @Override
    public void indexAdd(Storage gy, int outer, int n, int inner, Storage index, int m, Storage gx) {
        CpuStorage gys = cpu(gy);
        CpuStorage idx = cpu(index);
        CpuStorage gxs = cpu(gx);
        fill(gxs, 0);
        // Repeated indices add into the same row, so each outer slice is owned by one thread.
        Parallel.forRange(outer, 1, (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                for (int j = 0; j < m; j++) {
                    int src = (o * m + j) * inner;
                    int dst = (o * n + idx.i[j]) * inner;
                    for (int i = 0; i < inner; i++) {
                        gxs.set(dst + i, gxs.get(dst + i) + gys.get(src + i));
                    }
                }
            }
        });
    }

    @Override
    public void random(Storage s, boolean normal, double a, double b, long seed) {
        CpuStorage c = cpu(s);
        if (!normal && c.f != null) {
            // Dropout masks draw millions of these per training step: one hash per number, no dispatch.
            long key = CounterRandom.key(seed);
            float[] f = c.f;
            Parallel.forRange(c.size(), GRAIN, (k0, k1) -> {
                for (int k = k0; k < k1; k++) {
                    f[k] = (float) (a + (b - a) * CounterRandom.keyedUniform(key, k));
                }
            });
            return;
        }
        Parallel.forRange(c.size(), GRAIN, (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                c.set(k, normal ? a + b * CounterRandom.normal(seed, k) : a + (b - a) * CounterRandom.uniform(seed, k));
            }
        });
    }

    @Override
    public void layerNorm(Storage x, Storage weight, Storage bias, int rows, int n, double eps, Storage y,
                          Storage mean, Storage rstd) {
        CpuStorage xs = cpu(x);
        CpuStorage ws = cpu(weight);
        CpuStorage bs = cpu(bias);
        CpuStorage ys = cpu(y);
        CpuStorage ms = cpu(mean);
        CpuStorage rs = cpu(rstd);
        Parallel.forRange(rows, Math.max(1, GRAIN / n), (r0, r1) -> {
            if (xs.f != null) {
                CpuLayerNorm.forward(xs.f, ws.f, bs.f, n, eps, ys.f, ms.f, rs.f, r0, r1);
            } else {
                CpuLayerNorm.forward(xs.d, ws.d, bs.d, n, eps, ys.d, ms.d, rs.d, r0, r1);
            }
        });
    }

    @Override
    public void layerNormBackward(Storage x, Storage weight, Storage mean, Storage rstd, Storage gy, int rows, int n,
                                  Storage gx, Storage gWeight, Storage gBias) {
        CpuStorage xs = cpu(x);
        CpuStorage ws = cpu(weight);
        CpuStorage ms = cpu(mean);
        CpuStorage rs = cpu(rstd);
        CpuStorage gys = cpu(gy);
        CpuStorage gxs = cpu(gx);
        CpuStorage gws = cpu(gWeight);
        CpuStorage gbs = cpu(gBias);
        Parallel.forRange(rows, Math.max(1, GRAIN / n), (r0, r1) -> {
            if (xs.f != null) {
                CpuLayerNorm.backwardRows(xs.f, ws.f, ms.f, rs.f, gys.f, n, gxs.f, r0, r1);
            } else {
                CpuLayerNorm.backwardRows(xs.d, ws.d, ms.d, rs.d, gys.d, n, gxs.d, r0, r1);
            }
        });
        // Columns split over threads: each column's sum runs over all rows in order.
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, rows)), (j0, j1) -> {
            if (xs.f != null) {
                CpuLayerNorm.backwardColumns(xs.f, ms.f, rs.f, gys.f, rows, n, gws.f, gbs.f, j0, j1);
            } else {
                CpuLayerNorm.backwardColumns(xs.d, ms.d, rs.d, gys.d, rows, n, gws.d, gbs.d, j0, j1);
            }
        });
    }

    @Override
    public void dropoutMask(Storage mask, double p, long seed) {
        CpuStorage c = cpu(mask);
        if (c.f == null) {
            throw new IllegalArgumentException("dropoutMask: mask must be float32, got " + c.dtype);
        }
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropoutMask: p must be in [0, 1), got " + p);
        }
        // The uniform fill's draws, compared as integers with the threshold that p is as a float.
        long key = CounterRandom.key(seed);
        long threshold = CounterRandom.uniformThreshold((float) p);
        float scale = (float) (1 / (1 - p));
        float[] f = c.f;
        Parallel.forRange(c.size(), GRAIN, (k0, k1) -> CounterRandom.dropoutMask(key, threshold, scale, f, k0, k1));
    }

    @Override
    public void sgdStep(Storage w, Storage g, Storage buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        CpuStorage ws = cpu(w);
        CpuStorage gs = cpu(g);
        CpuStorage bs = buf == null ? null : cpu(buf);
        KernelWarmUp.used(KernelWarmUp.Family.SGD);
        Parallel.forRange(ws.size(), GRAIN, (k0, k1) -> {
            if (ws.dtype == DType.FLOAT32) {
                FloatKernels.sgd(ws.f, gs.f, bs == null ? null : bs.f, (float) lr, (float) momentum,
                        (float) dampening, (float) weightDecay, nesterov, firstStep, k0, k1);
            } else {
                for (int k = k0; k < k1; k++) {
                    double d = gs.d[k] + weightDecay * ws.d[k];
                    if (bs != null) {
                        double b = firstStep ? d : momentum * bs.d[k] + (1 - dampening) * d;
                        bs.d[k] = b;
                        d = nesterov ? d + momentum * b : b;
                    }
                    ws.d[k] -= lr * d;
                }
            }
        });
    }

    @Override
    public void adamStep(Storage w, Storage g, Storage m, Storage v, Storage vMax, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        CpuStorage ws = cpu(w);
        CpuStorage gs = cpu(g);
        CpuStorage ms = cpu(m);
        CpuStorage vs = cpu(v);
        CpuStorage xs = vMax == null ? null : cpu(vMax);
        // Decoupled decay scales w before the moments see it; coupled (L2) decay enters the
        // gradient. One of the two factors is always neutral (1 or 0).
        double shrink = decoupled ? 1 - lr * weightDecay : 1;
        double l2 = decoupled ? 0 : weightDecay;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double c2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        KernelWarmUp.used(KernelWarmUp.Family.ADAM);
        Parallel.forRange(ws.size(), GRAIN, (k0, k1) -> {
            if (ws.dtype == DType.FLOAT32) {
                FloatKernels.adam(ws.f, gs.f, ms.f, vs.f, xs == null ? null : xs.f, (float) shrink, (float) l2,
                        (float) beta1, (float) beta2, (float) eps, (float) stepSize, (float) c2Sqrt, k0, k1);
            } else {
                double[] wd = ws.d;
                double[] gd = gs.d;
                double[] md = ms.d;
                double[] vd = vs.d;
                double[] xd = xs == null ? null : xs.d;
                for (int k = k0; k < k1; k++) {
                    double wk = wd[k] * shrink;
                    double gk = gd[k] + l2 * wk;
                    double mk = beta1 * md[k] + (1 - beta1) * gk;
                    double vk = beta2 * vd[k] + (1 - beta2) * gk * gk;
                    md[k] = mk;
                    vd[k] = vk;
                    if (xd != null) {
                        vk = Math.max(xd[k], vk);
                        xd[k] = vk;
                    }
                    wd[k] = wk - stepSize * mk / (Math.sqrt(vk) / c2Sqrt + eps);
                }
            }
        });
    }

    @Override
    public void rmspropStep(Storage w, Storage g, Storage squareAvg, Storage gradAvg, Storage buf, double lr,
                            double alpha, double eps, double weightDecay, double momentum) {
        CpuStorage ws = cpu(w);
        CpuStorage gs = cpu(g);
        CpuStorage ss = cpu(squareAvg);
        CpuStorage as = gradAvg == null ? null : cpu(gradAvg);
        CpuStorage bs = buf == null ? null : cpu(buf);
        Parallel.forRange(ws.size(), GRAIN, (k0, k1) -> {
            if (ws.dtype == DType.FLOAT32) {
                FloatKernels.rmsprop(ws.f, gs.f, ss.f, as == null ? null : as.f, bs == null ? null : bs.f, (float) lr,
                        (float) alpha, (float) eps, (float) weightDecay, (float) momentum, k0, k1);
            } else {
                double[] wd = ws.d;
                double[] gd = gs.d;
                double[] sd = ss.d;
                double[] ad = as == null ? null : as.d;
                double[] bd = bs == null ? null : bs.d;
                for (int k = k0; k < k1; k++) {
                    double gk = gd[k] + weightDecay * wd[k];
                    double sk = alpha * sd[k] + (1 - alpha) * gk * gk;
                    sd[k] = sk;
                    if (ad != null) {
                        double ak = alpha * ad[k] + (1 - alpha) * gk;
                        ad[k] = ak;
                        sk -= ak * ak;
                    }
                    double d = gk / (Math.sqrt(sk) + eps);
                    if (bd != null) {
                        d += momentum * bd[k];
                        bd[k] = d;
                    }
                    wd[k] -= lr * d;
                }
            }
        });
    }

    @Override
    public void adagradStep(Storage w, Storage g, Storage sum, double lr, double lrDecay, double eps,
                            double weightDecay, long step) {
        CpuStorage ws = cpu(w);
        CpuStorage gs = cpu(g);
        CpuStorage ss = cpu(sum);
        double clr = lr / (1 + (step - 1) * lrDecay);
        Parallel.forRange(ws.size(), GRAIN, (k0, k1) -> {
            if (ws.dtype == DType.FLOAT32) {
                FloatKernels.adagrad(ws.f, gs.f, ss.f, (float) clr, (float) eps, (float) weightDecay, k0, k1);
            } else {
                double[] wd = ws.d;
                double[] gd = gs.d;
                double[] sd = ss.d;
                for (int k = k0; k < k1; k++) {
                    double gk = gd[k] + weightDecay * wd[k];
                    double sk = sd[k] + gk * gk;
                    sd[k] = sk;
                    wd[k] -= clr * gk / (Math.sqrt(sk) + eps);
                }
            }
        });
    }
}
