package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.function.Consumer;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.GroupSteps;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.Transfers;
import org.trainer.core.backend.UnaryOp;

/**
 * The CUDA backend: every primitive runs on the GPU, as PTX kernels of this module (src/main/cuda)
 * or cuBLAS GEMM. All work goes to the device's legacy default stream in call order, so primitives
 * need no synchronisation among themselves; copies to the host wait for the work before them.
 * float32 and float64 are supported everywhere floating data makes sense; int32 where the CPU
 * backend supports it (copies, casts, fills, where, reductions, gathers, random).
 *
 * <p>Fused capabilities: softmax, softmax cross-entropy, the optimizer steps, layer norm, the
 * dropout mask and the LSTM, GRU and RNN recurrences ({@link CudaRecurrences}).
 *
 * <p>Device timing ({@link #beginDeviceTiming()}) brackets every kernel, product, copy and fill
 * with CUDA events while it is on (see {@link DeviceTimer}). It is per device: every backend
 * instance on one GPU and every thread queue on the same stream, so a measurement begun on any of
 * them counts all the device's work until it ends. When it is off, each operation pays one
 * volatile read.
 */
public final class CudaBackend implements Backend, Fused.Softmax, Fused.CrossEntropy, Fused.Sgd, Fused.Adam,
        Fused.Rmsprop, Fused.Adagrad, Fused.LayerNorm, Fused.DropoutMask, Fused.Lstm, Fused.Gru, Fused.Rnn {
    private final CudaDevice dev;
    private final Kernels k;
    private final Gemm gemm;
    private final TiledGemm tiled;
    private final Device device;
    private final CudaRecurrences<CudaStorage> recurrences;

    CudaBackend(CudaDevice dev, boolean forceFallbackGemm) {
        this.dev = dev;
        this.k = dev.kernels;
        this.tiled = new TiledGemm(dev.kernels);
        this.gemm = GemmSelector.select(dev, forceFallbackGemm);
        this.device = Device.cuda(dev.context.index());
        this.recurrences = CudaRecurrences.on(this, dev.kernels, gemm);
    }

    // ---------------------------------------------------------------- device facts and memory

    @Override
    public Device device() {
        return device;
    }

    /** The GPU's name, e.g. "NVIDIA H100 80GB HBM3". */
    public String deviceName() {
        return dev.context.name();
    }

    /** Compute capability, e.g. "9.0". */
    public String computeCapability() {
        return dev.context.computeCapability();
    }

    /** Which GEMM matmul uses: "cuBLAS", "cuBLAS (TF32)" or "fallback (tiled kernel)". */
    public String gemmName() {
        return gemm.name();
    }

    /** Bytes held by live storages on this device (rounded to the allocator's buckets). */
    public long memoryUsed() {
        return dev.pool.usedBytes();
    }

    /** The same as {@link #memoryUsed()}: what the profiler reports as device memory in use. */
    @Override
    public long deviceMemoryUsed() {
        return memoryUsed();
    }

    /** The device's total memory, from cuMemGetInfo. */
    @Override
    public long deviceMemoryTotal() {
        dev.context.makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        CudaCheck.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return total[0];
    }

    /** The most bytes live storages held at once since the start or {@link #resetPeakMemory()}. */
    public long memoryPeak() {
        return dev.pool.peakBytes();
    }

    public void resetPeakMemory() {
        dev.pool.resetPeak();
    }

    /** Bytes the allocator keeps for reuse (allocated on the device, held by no storage). */
    public long memoryCached() {
        return dev.pool.cachedBytes();
    }

    /** How many times the allocator went to cudaMalloc; flat across steady-state training steps. */
    public long deviceAllocations() {
        return dev.pool.deviceAllocations();
    }

    /** Returns the allocator's cached blocks and the pinned upload buffers to the driver. */
    public void emptyCache() {
        dev.pool.emptyCache();
        dev.staging.release();
    }

    /** Waits until all queued GPU work has finished (for timing): cuCtxSynchronize. */
    @Override
    public void synchronize() {
        dev.timer.hostWaits();
        dev.context.makeCurrent();
        CudaCheck.check(cuCtxSynchronize(), "cuCtxSynchronize");
    }

    /**
     * Starts timing the device's work on its clock (CUDA events around every operation queued on
     * it, from any thread or backend instance on this device) and returns true; a measurement already
     * running starts afresh.
     */
    @Override
    public boolean beginDeviceTiming() {
        // The hold goes first, untimed (a measurement still running is dropped by begin).
        k.launchGrid("elementwise", "hold", 1, 1, 1, 1, 1, dev.timer.nextHoldNanos());
        dev.timer.begin();
        return true;
    }

    /**
     * Waits for the device's queued work and returns the nanoseconds it spent executing the
     * operations queued since {@link #beginDeviceTiming()}, summed from their events; -1 when no
     * measurement was running.
     */
    @Override
    public long endDeviceTiming() {
        return dev.timer.end();
    }

    /** {@link #cuda}, or null for null (an optional argument). */
    private CudaStorage cudaOrNull(Storage s) {
        return s == null ? null : cuda(s);
    }

    private CudaStorage cuda(Storage s) {
        if (!(s instanceof CudaStorage c) || c.device() != dev) {
            throw new IllegalArgumentException("cuda backend " + device + ": storage lives on another device: " + s);
        }
        return c;
    }

    private static UnsupportedOperationException unsupported(String primitive, DType dtype) {
        return new UnsupportedOperationException("cuda backend: " + primitive + " does not support " + dtype);
    }

    private static String floating(String primitive, DType dtype) {
        if (dtype == DType.INT32) {
            throw unsupported(primitive, dtype);
        }
        return OpCodes.suffix(dtype);
    }

    // ---------------------------------------------------------------- storage and transfer

    /** Uninitialised device memory (every caller overwrites it). */
    private CudaStorage empty(DType dtype, int size) {
        dev.context.makeCurrent();
        return new CudaStorage(this, dev, dtype, size);
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        CudaStorage s = empty(dtype, size);
        fill(s, 0);
        return s;
    }

    /**
     * A new storage holding host data: through a pinned buffer and an asynchronous copy when it can
     * ({@link PinnedStaging}), else copied from the Java array, which waits for the queued work.
     */
    private Storage upload(DType dtype, int size, Consumer<ByteBuffer> fill, Pointer array) {
        CudaStorage s = empty(dtype, size);
        if (!dev.staging.upload(s.bytes(), fill, s.pointer()) && size > 0) {
            dev.timer.hostWaits();
            boolean timed = dev.timer.start();
            try {
                CudaCheck.check(cuMemcpyHtoD(s.pointer(), array, s.bytes()), "cuMemcpyHtoD");
            } finally {
                if (timed) {
                    dev.timer.stop();
                }
            }
        }
        return s;
    }

    @Override
    public Storage fromArray(float[] data) {
        return upload(DType.FLOAT32, data.length, b -> b.asFloatBuffer().put(data), Pointer.to(data));
    }

    @Override
    public Storage fromArray(double[] data) {
        return upload(DType.FLOAT64, data.length, b -> b.asDoubleBuffer().put(data), Pointer.to(data));
    }

    @Override
    public Storage fromArray(int[] data) {
        return upload(DType.INT32, data.length, b -> b.asIntBuffer().put(data), Pointer.to(data));
    }

    /**
     * From another backend's storage (a batch on the CPU): its backend reads the elements straight
     * into a pinned buffer, and an asynchronous copy takes them to {@code dst}.
     */
    @Override
    public void copyFrom(Storage src, Storage dst) {
        CudaStorage d = cuda(dst);
        Transfers.checkCopy(src, d);
        dev.context.makeCurrent();
        Backend from = src.backend();
        Consumer<ByteBuffer> fill = switch (d.dtype()) {
            case FLOAT32 -> b -> from.read(src, b.asFloatBuffer());
            case FLOAT64 -> b -> from.read(src, b.asDoubleBuffer());
            case INT32 -> b -> from.read(src, b.asIntBuffer());
        };
        if (!dev.staging.upload(d.bytes(), fill, d.pointer())) {
            Backend.super.copyFrom(src, dst);
        }
    }

    /** Downloads straight into a heap buffer's array when the buffer starts at its array's first element. */
    @Override
    public void read(Storage s, Buffer dst) {
        CudaStorage c = cuda(s);
        Transfers.checkBuffer(c, dst);
        if (!dst.hasArray() || dst.arrayOffset() + dst.position() != 0) {
            switch (c.dtype()) {
                case FLOAT32 -> ((FloatBuffer) dst).put(toFloatArray(c));
                case FLOAT64 -> ((DoubleBuffer) dst).put(toDoubleArray(c));
                case INT32 -> ((IntBuffer) dst).put(toIntArray(c));
            }
            return;
        }
        Pointer host = switch (c.dtype()) {
            case FLOAT32 -> Pointer.to(((FloatBuffer) dst).array());
            case FLOAT64 -> Pointer.to(((DoubleBuffer) dst).array());
            case INT32 -> Pointer.to(((IntBuffer) dst).array());
        };
        download(c, host);
        dst.position(c.size());
    }

    /** Uploads the elements into a new storage ({@link #fromArray(float[])} and its siblings), then copies it over {@code s}. */
    @Override
    public void write(Storage s, Buffer src) {
        CudaStorage c = cuda(s);
        Transfers.checkBuffer("write", "src", c, src);
        Storage staged = switch (c.dtype()) {
            case FLOAT32 -> {
                float[] a = new float[c.size()];
                ((FloatBuffer) src).get(a);
                yield fromArray(a);
            }
            case FLOAT64 -> {
                double[] a = new double[c.size()];
                ((DoubleBuffer) src).get(a);
                yield fromArray(a);
            }
            case INT32 -> {
                int[] a = new int[c.size()];
                ((IntBuffer) src).get(a);
                yield fromArray(a);
            }
        };
        int[] unit = {1};
        copy(staged, 0, unit, c, 0, unit, new int[] {c.size()});
    }

    /** Uploads that went through a pinned buffer so far (the rest copied from pageable memory). */
    public long pinnedUploads() {
        return dev.staging.staged();
    }

    private void download(CudaStorage s, Pointer host) {
        dev.context.makeCurrent();
        if (s.size() > 0) {
            dev.timer.hostWaits();
            boolean timed = dev.timer.start();
            try {
                CudaCheck.check(cuMemcpyDtoH(host, s.pointer(), s.bytes()), "cuMemcpyDtoH");
            } finally {
                if (timed) {
                    dev.timer.stop();
                }
            }
        }
    }

    @Override
    public float[] toFloatArray(Storage s) {
        CudaStorage c = cuda(s);
        if (c.dtype() == DType.FLOAT32) {
            float[] r = new float[c.size()];
            download(c, Pointer.to(r));
            return r;
        }
        double[] d = toDoubleArray(c);
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (float) d[i];
        }
        return r;
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        CudaStorage c = cuda(s);
        double[] r = new double[c.size()];
        switch (c.dtype()) {
            case FLOAT64 -> download(c, Pointer.to(r));
            case FLOAT32 -> {
                float[] f = new float[c.size()];
                download(c, Pointer.to(f));
                for (int i = 0; i < f.length; i++) {
                    r[i] = f[i];
                }
            }
            case INT32 -> {
                int[] v = new int[c.size()];
                download(c, Pointer.to(v));
                for (int i = 0; i < v.length; i++) {
                    r[i] = v[i];
                }
            }
        }
        return r;
    }

    @Override
    public int[] toIntArray(Storage s) {
        CudaStorage c = cuda(s);
        if (c.dtype() == DType.INT32) {
            int[] r = new int[c.size()];
            download(c, Pointer.to(r));
            return r;
        }
        double[] d = toDoubleArray(c);
        int[] r = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (int) d[i];
        }
        return r;
    }

    @Override
    public Storage cast(Storage s, DType dtype) {
        CudaStorage y = empty(dtype, s.size());
        castInto(s, y);
        return y;
    }

    @Override
    public void castInto(Storage src, Storage dst) {
        CudaStorage x = cuda(src);
        CudaStorage y = cuda(dst);
        if (x.dtype() == y.dtype()) {
            if (x.size() > 0) {
                dev.context.makeCurrent();
                boolean timed = dev.timer.start();
                try {
                    CudaCheck.check(cuMemcpyDtoD(y.pointer(), x.pointer(), x.bytes()), "cuMemcpyDtoD");
                } finally {
                    if (timed) {
                        dev.timer.stop();
                    }
                }
            }
        } else {
            k.launch("elementwise", "cast_" + OpCodes.suffix(x.dtype()) + "_" + OpCodes.suffix(y.dtype()), x.size(),
                    x.size(), x, y);
        }
    }

    @Override
    public void fill(Storage s, double value) {
        CudaStorage c = cuda(s);
        if (c.size() == 0) {
            return;
        }
        dev.context.makeCurrent();
        switch (c.dtype()) {
            case FLOAT32 -> memsetD32(c.pointer(), Float.floatToRawIntBits((float) value), c.size());
            case INT32 -> memsetD32(c.pointer(), (int) value, c.size());
            case FLOAT64 -> {
                if (Double.doubleToRawLongBits(value) == 0L) {
                    memsetD32(c.pointer(), 0, 2L * c.size());
                } else {
                    k.launch("elementwise", "fill_f64", c.size(), c.size(), value, c);
                }
            }
        }
    }

    /** cuMemsetD32 of {@code words} 32-bit words, timed when the device's timer is on. */
    private void memsetD32(CUdeviceptr p, int word, long words) {
        boolean timed = dev.timer.start();
        try {
            CudaCheck.check(cuMemsetD32(p, word, words), "cuMemsetD32");
        } finally {
            if (timed) {
                dev.timer.stop();
            }
        }
    }

    @Override
    public void copy(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides,
                     int[] shape) {
        CudaStorage s = cuda(src);
        CudaStorage d = cuda(dst);
        long total = numel(shape);
        if (total == 0) {
            return;
        }
        Layout l = Layout.strided("copy", shape, srcStrides, dstStrides);
        String fn = s.dtype().bytes() == 8 ? "copy_8" : "copy_4";
        k.launch("elementwise", fn, total, l.rank, (int) total, l.shape, s, srcOffset, l.strides[0], d, dstOffset,
                l.strides[1]);
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int v : shape) {
            n *= v;
        }
        return n;
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public void unary(UnaryOp op, double p, Storage x, Storage y) {
        CudaStorage xs = cuda(x);
        CudaStorage ys = cuda(y);
        String t = floating("unary " + op, xs.dtype());
        Object param = xs.dtype() == DType.FLOAT32 ? (Object) (float) p : (Object) p;
        k.launch("elementwise", "unary_" + t, xs.size(), OpCodes.unary(op), param, xs.size(), xs, ys);
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Storage x, Storage y, Storage gy, Storage gx) {
        CudaStorage xs = cuda(x);
        String t = floating("unaryBackward " + op, xs.dtype());
        Object param = xs.dtype() == DType.FLOAT32 ? (Object) (float) p : (Object) p;
        k.launch("elementwise", "unary_backward_" + t, xs.size(), OpCodes.unary(op), param, xs.size(), xs, cuda(y),
                cuda(gy), cuda(gx));
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape) {
        CudaStorage os = cuda(out);
        String t = floating("binary " + op, os.dtype());
        long total = numel(outShape);
        Layout l = Layout.broadcast("binary " + op, outShape, aShape, bShape);
        k.launch("elementwise", "binary_" + t, total, OpCodes.binary(op), l.rank, (int) total, l.shape, cuda(a),
                l.strides[0], cuda(b), l.strides[1], os);
    }

    @Override
    public void where(Storage cond, int[] condShape, Storage a, int[] aShape, Storage b, int[] bShape, Storage out,
                      int[] outShape) {
        CudaStorage cs = cuda(cond);
        CudaStorage os = cuda(out);
        long total = numel(outShape);
        Layout l = Layout.broadcast("where", outShape, condShape, aShape, bShape);
        k.launch("elementwise", "where_" + OpCodes.suffix(cs.dtype()) + "_" + OpCodes.suffix(os.dtype()), total,
                l.rank, (int) total, l.shape, cs, l.strides[0], cuda(a), l.strides[1], cuda(b), l.strides[2], os);
    }

    // ---------------------------------------------------------------- reductions and softmax

    /** Rows at least this long get a block each; shorter ones a thread each. */
    private static final int ROW_BLOCK_MIN = 32;

    @Override
    public void reduce(ReduceOp op, Storage x, int outer, int n, int inner, Storage out) {
        CudaStorage xs = cuda(x);
        CudaStorage os = cuda(out);
        String t = OpCodes.suffix(xs.dtype());
        if (outer == 0 || inner == 0) {
            return;
        }
        if (inner == 1 && n >= ROW_BLOCK_MIN) {
            k.launchGrid("reduce", "reduce_rows_" + t, outer, 1, 1, Kernels.BLOCK, 1, OpCodes.reduce(op), n, xs, os);
        } else {
            k.launch("reduce", "reduce_cols_" + t, (long) outer * inner, OpCodes.reduce(op), outer, n, inner, xs, os);
        }
    }

    @Override
    public void argReduce(boolean max, Storage x, int outer, int n, int inner, Storage out) {
        CudaStorage xs = cuda(x);
        k.launch("reduce", "arg_reduce_" + OpCodes.suffix(xs.dtype()), (long) outer * inner, max ? 1 : 0, outer, n,
                inner, xs, cuda(out));
    }

    @Override
    public void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y) {
        CudaStorage xs = cuda(x);
        String t = floating("softmax", xs.dtype());
        if (outer == 0 || inner == 0 || n == 0) {
            return;
        }
        if (inner == 1 && n >= ROW_BLOCK_MIN) {
            k.launchGrid("reduce", "softmax_rows_" + t, outer, 1, 1, Kernels.BLOCK, 1, log ? 1 : 0, n, xs, cuda(y));
        } else {
            k.launch("reduce", "softmax_cols_" + t, (long) outer * inner, log ? 1 : 0, outer, n, inner, xs, cuda(y));
        }
    }

    @Override
    public void nllLoss(Storage logP, Storage labels, int n, int c, Storage loss) {
        CudaStorage lp = cuda(logP);
        String t = floating("nllLoss", lp.dtype());
        k.launch("reduce", "nll_loss_" + t, n, n, c, lp, cuda(labels), cuda(loss));
    }

    @Override
    public void crossEntropyBackward(Storage logP, Storage labels, Storage gLoss, double scale, int n, int c,
                                     Storage gx) {
        CudaStorage lp = cuda(logP);
        String t = floating("crossEntropyBackward", lp.dtype());
        CudaStorage gl = cuda(gLoss);
        int single = gl.size() == 1 ? 1 : 0;
        Object s = lp.dtype() == DType.FLOAT32 ? (Object) (float) scale : (Object) scale;
        k.launch("reduce", "ce_backward_" + t, (long) n * c, n, c, lp, cuda(labels), gl, single, s, cuda(gx));
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx) {
        CudaStorage ys = cuda(y);
        String t = floating("softmaxBackward", ys.dtype());
        if (outer == 0 || inner == 0 || n == 0) {
            return;
        }
        if (inner == 1 && n >= ROW_BLOCK_MIN) {
            k.launchGrid("reduce", "softmax_backward_rows_" + t, outer, 1, 1, Kernels.BLOCK, 1, log ? 1 : 0, n, ys,
                    cuda(gy), cuda(gx));
        } else {
            k.launch("reduce", "softmax_backward_cols_" + t, (long) outer * inner, log ? 1 : 0, outer, n, inner, ys,
                    cuda(gy), cuda(gx));
        }
    }

    // ---------------------------------------------------------------- matrix product

    @Override
    public void matmul(boolean transA, boolean transB, int batch, int m, int n, int kk,
                       Storage a, int aBatchStride, Storage b, int bBatchStride, Storage c, int cBatchStride,
                       boolean accumulate) {
        CudaStorage as = cuda(a);
        CudaStorage bs = cuda(b);
        CudaStorage cs = cuda(c);
        floating("matmul", as.dtype());
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        // cuBLAS wants leading dimensions >= 1, which k = 0 breaks; the kernel just writes zeros (or keeps C).
        Gemm g = kk == 0 ? tiled : gemm;
        if (cBatchStride == 0 && batch > 1) {
            // Every product adds into the same C: one call per matrix, in order, never a racy batched call.
            for (int i = 0; i < batch; i++) {
                g.gemm(transA, transB, 1, m, n, kk, as, (long) i * aBatchStride, 0, bs, (long) i * bBatchStride, 0,
                        cs, 0, 0, accumulate || i > 0);
            }
            return;
        }
        g.gemm(transA, transB, batch, m, n, kk, as, 0, aBatchStride, bs, 0, bBatchStride, cs, 0, cBatchStride,
                accumulate);
    }

    // ---------------------------------------------------------------- convolution and pooling

    private static int[] geom(ConvGeometry g) {
        return new int[] {g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padH(), g.padW(),
            g.dilH(), g.dilW(), g.outH(), g.outW()};
    }

    private static long outputs(ConvGeometry g) {
        return (long) g.n() * g.c() * g.outH() * g.outW();
    }

    private static long inputs(ConvGeometry g) {
        return (long) g.n() * g.c() * g.h() * g.w();
    }

    @Override
    public void im2col(Storage x, ConvGeometry g, Storage col) {
        CudaStorage xs = cuda(x);
        String t = floating("im2col", xs.dtype());
        long total = (long) g.c() * g.kh() * g.kw() * g.n() * g.outH() * g.outW();
        k.launch("conv", "im2col_" + t, total, geom(g), xs, cuda(col));
    }

    @Override
    public void col2im(Storage col, ConvGeometry g, Storage gx) {
        CudaStorage cs = cuda(col);
        k.launch("conv", "col2im_" + floating("col2im", cs.dtype()), inputs(g), geom(g), cs, cuda(gx));
    }

    @Override
    public void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax) {
        CudaStorage xs = cuda(x);
        k.launch("conv", "max_pool_" + floating("maxPool2d", xs.dtype()), outputs(g), geom(g), xs, cuda(y),
                cuda(argmax));
    }

    @Override
    public void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx) {
        CudaStorage gys = cuda(gy);
        k.launch("conv", "max_pool_backward_" + floating("maxPool2dBackward", gys.dtype()), inputs(g), geom(g), gys,
                cuda(argmax), cuda(gx));
    }

    @Override
    public void avgPool2d(Storage x, ConvGeometry g, Storage y) {
        CudaStorage xs = cuda(x);
        k.launch("conv", "avg_pool_" + floating("avgPool2d", xs.dtype()), outputs(g), geom(g), xs, cuda(y));
    }

    @Override
    public void avgPool2dBackward(Storage gy, ConvGeometry g, Storage gx) {
        CudaStorage gys = cuda(gy);
        k.launch("conv", "avg_pool_backward_" + floating("avgPool2dBackward", gys.dtype()), inputs(g), geom(g), gys,
                cuda(gx));
    }

    // ---------------------------------------------------------------- gather and scatter

    @Override
    public void indexSelect(Storage x, int outer, int n, int inner, Storage index, int m, Storage out) {
        CudaStorage xs = cuda(x);
        String fn = xs.dtype().bytes() == 8 ? "index_select_8" : "index_select_4";
        k.launch("conv", fn, (long) outer * m * inner, outer, n, inner, xs, cuda(index), m, cuda(out));
    }

    @Override
    public void indexAdd(Storage gy, int outer, int n, int inner, Storage index, int m, Storage gx) {
        CudaStorage gys = cuda(gy);
        String t = floating("indexAdd", gys.dtype());
        fill(gx, 0);
        if (outer == 0 || inner == 0 || m == 0) {
            return;
        }
        IndexGroups groups = IndexGroups.of(toIntArray(index), m);
        Storage rows = fromArray(groups.rows());
        Storage start = fromArray(groups.start());
        Storage js = fromArray(groups.positions());
        int unique = groups.rows().length;
        k.launch("conv", "index_add_" + t, (long) outer * unique * inner, outer, n, inner, gys, m, cuda(rows),
                cuda(start), cuda(js), unique, cuda(gx));
    }

    // ---------------------------------------------------------------- random numbers and optimizers

    @Override
    public void random(Storage s, boolean normal, double a, double b, long seed) {
        CudaStorage c = cuda(s);
        k.launch("random", "random_" + OpCodes.suffix(c.dtype()), c.size(), c.size(), normal ? 1 : 0, a, b, seed, c);
    }

    @Override
    public void sgdStep(Storage w, Storage g, Storage buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        CudaStorage ws = cuda(w);
        String t = floating("sgdStep", ws.dtype());
        // Without momentum the kernel never touches buf; w stands in for the null pointer.
        CudaStorage bs = buf == null ? ws : cuda(buf);
        int hasBuf = buf == null ? 0 : 1;
        if (ws.dtype() == DType.FLOAT32) {
            k.launch("optim", "sgd_f32", ws.size(), ws.size(), ws, cuda(g), bs, hasBuf, (float) lr, (float) momentum,
                    (float) dampening, (float) weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0);
        } else {
            k.launch("optim", "sgd_" + t, ws.size(), ws.size(), ws, cuda(g), bs, hasBuf, lr, momentum, dampening,
                    weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0);
        }
    }

    // The fused updates below take their per-step scalars in double exactly as the CPU backend
    // computes them, so that the float32 kernels see the same rounded constants as FloatKernels.
    // An absent state buffer is passed as w, with a flag that keeps the kernel off it.

    @Override
    public void adamStep(Storage w, Storage g, Storage m, Storage v, Storage vMax, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        CudaStorage ws = cuda(w);
        String t = floating("adamStep", ws.dtype());
        CudaStorage xs = vMax == null ? ws : cuda(vMax);
        int hasMax = vMax == null ? 0 : 1;
        double shrink = decoupled ? 1 - lr * weightDecay : 1;
        double l2 = decoupled ? 0 : weightDecay;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double c2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        if (ws.dtype() == DType.FLOAT32) {
            k.launch("optim", "adam_f32", ws.size(), ws.size(), ws, cuda(g), cuda(m), cuda(v), xs, hasMax,
                    (float) shrink, (float) l2, (float) beta1, (float) beta2, (float) eps, (float) stepSize,
                    (float) c2Sqrt);
        } else {
            k.launch("optim", "adam_" + t, ws.size(), ws.size(), ws, cuda(g), cuda(m), cuda(v), xs, hasMax, shrink,
                    l2, beta1, beta2, eps, stepSize, c2Sqrt);
        }
    }

    // The group steps make one launch per TensorTable.CAPACITY parameters of a dtype: the
    // multi-tensor kernels compute each element with the same device function as the single-tensor
    // ones, from the same scalars, so the results are those of sgdStep / adamStep bit for bit.

    @Override
    public void sgdSteps(Storage[] w, Storage[] g, Storage[] buf, double lr, double momentum, double dampening,
                         double weightDecay, boolean nesterov, boolean firstStep) {
        GroupSteps.checkSgd(w, g, buf);
        int hasBuf = buf == null ? 0 : 1;
        int nest = nesterov ? 1 : 0;
        int first = firstStep ? 1 : 0;
        inTables("sgdSteps", new Storage[][] {w, g, buf}, (t, dtype) -> {
            if (dtype == DType.FLOAT32) {
                k.launchGrid("optim", "sgd_multi_f32", t.blocks(), 1, 1, Kernels.BLOCK, 1, t.struct(), hasBuf,
                        (float) lr, (float) momentum, (float) dampening, (float) weightDecay, nest, first);
            } else {
                k.launchGrid("optim", "sgd_multi_f64", t.blocks(), 1, 1, Kernels.BLOCK, 1, t.struct(), hasBuf, lr,
                        momentum, dampening, weightDecay, nest, first);
            }
        });
    }

    @Override
    public void adamSteps(Storage[] w, Storage[] g, Storage[] m, Storage[] v, Storage[] vMax, double lr,
                          double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        GroupSteps.checkAdam(w, g, m, v, vMax);
        int hasMax = vMax == null ? 0 : 1;
        // As adamStep computes them.
        double shrink = decoupled ? 1 - lr * weightDecay : 1;
        double l2 = decoupled ? 0 : weightDecay;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double c2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        inTables("adamSteps", new Storage[][] {w, g, m, v, vMax}, (t, dtype) -> {
            if (dtype == DType.FLOAT32) {
                k.launchGrid("optim", "adam_multi_f32", t.blocks(), 1, 1, Kernels.BLOCK, 1, t.struct(), hasMax,
                        (float) shrink, (float) l2, (float) beta1, (float) beta2, (float) eps, (float) stepSize,
                        (float) c2Sqrt);
            } else {
                k.launchGrid("optim", "adam_multi_f64", t.blocks(), 1, 1, Kernels.BLOCK, 1, t.struct(), hasMax,
                        shrink, l2, beta1, beta2, eps, stepSize, c2Sqrt);
            }
        });
    }

    /** Launches the kernel of one filled table; the table holds parameters of one dtype. */
    private interface TableLaunch {
        void launch(TensorTable table, DType dtype);
    }

    /**
     * Gathers the parameters of a group step into tables and launches each: lists[l][i] is list l
     * (w, g, then the state buffers) of parameter i, and a null list is one the kernel's flag keeps it
     * off. Every storage is checked to live on this device, and every parameter to be
     * floating point, before anything is launched. Parameters are taken one dtype at a time, in order.
     */
    private void inTables(String primitive, Storage[][] lists, TableLaunch launch) {
        Storage[] w = lists[0];
        for (int i = 0; i < w.length; i++) {
            floating(primitive, cuda(w[i]).dtype());
            for (Storage[] list : lists) {
                if (list != null) {
                    cuda(list[i]);
                }
            }
        }
        TensorTable table = new TensorTable(lists.length);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int i = 0; i < w.length; i++) {
                if (w[i].dtype() != dtype) {
                    continue;
                }
                table.add(w[i].size(), address(lists, 0, i), address(lists, 1, i), address(lists, 2, i),
                        address(lists, 3, i), address(lists, 4, i));
                if (table.isFull()) {
                    launch.launch(table, dtype);
                    table.clear();
                }
            }
            if (table.blocks() > 0) {
                launch.launch(table, dtype);
                table.clear();
            }
        }
    }

    /** The address of list l of parameter i; w's (never touched) for a list the step goes without, as in sgdStep. */
    private static long address(Storage[][] lists, int l, int i) {
        Storage s = l < lists.length && lists[l] != null ? lists[l][i] : lists[0][i];
        return ((CudaStorage) s).address();
    }

    @Override
    public void rmspropStep(Storage w, Storage g, Storage squareAvg, Storage gradAvg, Storage buf, double lr,
                            double alpha, double eps, double weightDecay, double momentum) {
        CudaStorage ws = cuda(w);
        String t = floating("rmspropStep", ws.dtype());
        CudaStorage as = gradAvg == null ? ws : cuda(gradAvg);
        CudaStorage bs = buf == null ? ws : cuda(buf);
        int hasAvg = gradAvg == null ? 0 : 1;
        int hasBuf = buf == null ? 0 : 1;
        if (ws.dtype() == DType.FLOAT32) {
            k.launch("optim", "rmsprop_f32", ws.size(), ws.size(), ws, cuda(g), cuda(squareAvg), as, hasAvg, bs,
                    hasBuf, (float) lr, (float) alpha, (float) eps, (float) weightDecay, (float) momentum);
        } else {
            k.launch("optim", "rmsprop_" + t, ws.size(), ws.size(), ws, cuda(g), cuda(squareAvg), as, hasAvg, bs,
                    hasBuf, lr, alpha, eps, weightDecay, momentum);
        }
    }

    @Override
    public void adagradStep(Storage w, Storage g, Storage sum, double lr, double lrDecay, double eps,
                            double weightDecay, long step) {
        CudaStorage ws = cuda(w);
        String t = floating("adagradStep", ws.dtype());
        double clr = lr / (1 + (step - 1) * lrDecay);
        if (ws.dtype() == DType.FLOAT32) {
            k.launch("optim", "adagrad_f32", ws.size(), ws.size(), ws, cuda(g), cuda(sum), (float) clr, (float) eps,
                    (float) weightDecay);
        } else {
            k.launch("optim", "adagrad_" + t, ws.size(), ws.size(), ws, cuda(g), cuda(sum), clr, eps, weightDecay);
        }
    }

    // ---------------------------------------------------------------- layer norm and dropout

    @Override
    public void layerNorm(Storage x, Storage weight, Storage bias, int rows, int n, double eps, Storage y,
                          Storage mean, Storage rstd) {
        CudaStorage xs = cuda(x);
        String t = floating("layerNorm", xs.dtype());
        FusedArguments.rows("layerNorm", rows, n);
        DType d = xs.dtype();
        FusedArguments.require("layerNorm", "x", xs, d, rows, n);
        FusedArguments.require("layerNorm", "weight", weight, d, n);
        FusedArguments.require("layerNorm", "bias", bias, d, n);
        FusedArguments.require("layerNorm", "y", y, d, rows, n);
        FusedArguments.require("layerNorm", "mean", mean, d, rows);
        FusedArguments.require("layerNorm", "rstd", rstd, d, rows);
        if (rows == 0 || n == 0) {
            return;
        }
        k.launchGrid("norm", "layer_norm_" + t, rows, 1, 1, LayerNormLaunch.threads(n), 1, n, eps, xs, cuda(weight),
                cuda(bias), cuda(y), cuda(mean), cuda(rstd));
    }

    @Override
    public void layerNormBackward(Storage x, Storage weight, Storage mean, Storage rstd, Storage gy, int rows, int n,
                                  Storage gx, Storage gWeight, Storage gBias) {
        CudaStorage xs = cuda(x);
        String t = floating("layerNormBackward", xs.dtype());
        String op = "layerNormBackward";
        FusedArguments.rows(op, rows, n);
        DType d = xs.dtype();
        FusedArguments.require(op, "x", xs, d, rows, n);
        FusedArguments.require(op, "weight", weight, d, n);
        FusedArguments.require(op, "mean", mean, d, rows);
        FusedArguments.require(op, "rstd", rstd, d, rows);
        FusedArguments.require(op, "gy", gy, d, rows, n);
        FusedArguments.require(op, "gx", gx, d, rows, n);
        FusedArguments.require(op, "gWeight", gWeight, d, n);
        FusedArguments.require(op, "gBias", gBias, d, n);
        if (n == 0) {
            return;
        }
        if (rows == 0) {
            // Sums over no rows.
            fill(gWeight, 0);
            fill(gBias, 0);
            return;
        }
        CudaStorage ms = cuda(mean);
        CudaStorage rs = cuda(rstd);
        CudaStorage gys = cuda(gy);
        k.launchGrid("norm", "layer_norm_backward_" + t, rows, 1, 1, LayerNormLaunch.threads(n), 1, n, xs,
                cuda(weight), ms, rs, gys, cuda(gx));
        k.launch("norm", "layer_norm_columns_" + t, n, rows, n, xs, ms, rs, gys, cuda(gWeight), cuda(gBias));
    }

    /**
     * One pass of random.cu's dropout_mask_f32, which draws each element as {@link #random}'s uniform
     * float32 fill does; p and 1 / (1 - p) are rounded to float here, as the composed fallback's
     * float32 constant p (binary GE) and SCALE parameter are.
     */
    @Override
    public void dropoutMask(Storage mask, double p, long seed) {
        CudaStorage m = cuda(mask);
        if (m.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("dropoutMask: mask must be FLOAT32, got " + m.dtype());
        }
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropoutMask: p must be in [0, 1), got " + p);
        }
        k.launch("random", "dropout_mask_f32", m.size(), m.size(), (float) p, (float) (1 / (1 - p)), seed, m);
    }

    // ---------------------------------------------------------------- recurrences (CudaRecurrences)

    @Override
    public boolean lstmForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                               Storage h0, Storage c0, Storage out, Storage cs, Storage gates) {
        floating("lstmForward", xProj.dtype());
        if (!CudaRecurrences.checkLstmForward(steps, n, hidden, xProj, wHh, bHh, h0, c0, out, cs, gates)) {
            return false;
        }
        recurrences.lstmForward(steps, n, hidden, reverse, cuda(xProj), cuda(wHh), cudaOrNull(bHh), cuda(h0),
                cuda(c0), cuda(out), cuda(cs), cuda(gates));
        return true;
    }

    @Override
    public boolean lstmBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage c0,
                                Storage out, Storage cs, Storage gates, Storage gOut, Storage gxProj, Storage gw,
                                Storage gb, Storage gh0, Storage gc0, Storage dh, Storage dc) {
        floating("lstmBackward", gOut.dtype());
        if (!CudaRecurrences.checkLstmBackward(steps, n, hidden, wHh, h0, c0, out, cs, gates, gOut, gxProj, gw, gb,
                gh0, gc0, dh, dc)) {
            return false;
        }
        recurrences.lstmBackward(steps, n, hidden, reverse, cuda(wHh), cuda(h0), cuda(c0), cuda(out), cuda(cs),
                cuda(gates), cuda(gOut), cuda(gxProj), cudaOrNull(gw), cudaOrNull(gb), cudaOrNull(gh0),
                cudaOrNull(gc0), cuda(dh), cuda(dc));
        return true;
    }

    @Override
    public boolean gruForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                              Storage h0, Storage out, Storage gates, Storage hn) {
        floating("gruForward", xProj.dtype());
        if (!CudaRecurrences.checkGruForward(steps, n, hidden, xProj, wHh, bHh, h0, out, gates, hn)) {
            return false;
        }
        recurrences.gruForward(steps, n, hidden, reverse, cuda(xProj), cuda(wHh), cudaOrNull(bHh), cuda(h0),
                cuda(out), cuda(gates), cuda(hn));
        return true;
    }

    @Override
    public boolean gruBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage out,
                               Storage gates, Storage hn, Storage gOut, Storage gxProj, Storage gp, Storage gw,
                               Storage gb, Storage gh0, Storage dh) {
        floating("gruBackward", gOut.dtype());
        if (!CudaRecurrences.checkGruBackward(steps, n, hidden, wHh, h0, out, gates, hn, gOut, gxProj, gp, gw, gb,
                gh0, dh)) {
            return false;
        }
        recurrences.gruBackward(steps, n, hidden, reverse, cuda(wHh), cuda(h0), cuda(out), cuda(gates), cuda(hn),
                cuda(gOut), cuda(gxProj), cuda(gp), cudaOrNull(gw), cudaOrNull(gb), cudaOrNull(gh0), cuda(dh));
        return true;
    }

    @Override
    public boolean rnnForward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage xProj, Storage wHh,
                              Storage bHh, Storage h0, Storage out) {
        floating("rnnForward", xProj.dtype());
        if (!CudaRecurrences.checkRnnForward(steps, n, hidden, xProj, wHh, bHh, h0, out)) {
            return false;
        }
        recurrences.rnnForward(steps, n, hidden, reverse, relu, cuda(xProj), cuda(wHh), cudaOrNull(bHh), cuda(h0),
                cuda(out));
        return true;
    }

    @Override
    public boolean rnnBackward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage wHh, Storage h0,
                               Storage out, Storage gOut, Storage gxProj, Storage gw, Storage gb, Storage gh0,
                               Storage dh) {
        floating("rnnBackward", gOut.dtype());
        if (!CudaRecurrences.checkRnnBackward(steps, n, hidden, wHh, h0, out, gOut, gxProj, gw, gb, gh0, dh)) {
            return false;
        }
        recurrences.rnnBackward(steps, n, hidden, reverse, relu, cuda(wHh), cuda(h0), cuda(out), cuda(gOut),
                cuda(gxProj), cudaOrNull(gw), cudaOrNull(gb), cudaOrNull(gh0), cuda(dh));
        return true;
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device + ", " + deviceName() + ", gemm " + gemm.name() + "]";
    }
}
