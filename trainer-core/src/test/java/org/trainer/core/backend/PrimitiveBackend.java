package org.trainer.core.backend;

import java.nio.Buffer;

import org.trainer.core.DType;
import org.trainer.core.Device;

/**
 * A backend of the required primitives only, and no {@link Capability}: it implements exactly the
 * abstract methods of {@link Backend}, forwarding each to another backend (the CPU's by default)
 * behind storages of its own, so that every op and optimizer on it takes its composed fallback.
 * It proves that the required contract suffices, and lets a test compare the fallbacks with the
 * fused kernels of the backend it wraps. Device type "primitive", index 0 (the CPU's primitives),
 * registered through {@code META-INF/services} of the test class path.
 */
public final class PrimitiveBackend implements Backend {
    /** The device of {@link Provider}'s backend: the CPU's primitives without their capabilities. */
    public static final Device DEVICE = new Device("primitive", 0);

    private final Backend inner;

    /**
     * The required primitives of {@code inner}, none of its capabilities.
     *
     * @param inner the backend that runs the primitives
     */
    public PrimitiveBackend(Backend inner) {
        this.inner = inner;
    }

    /** Finds the "primitive" device's backend for {@link Backends}. */
    public static final class Provider extends OneDeviceProvider {
        /** The provider that {@link java.util.ServiceLoader} creates. */
        public Provider() {
            super(DEVICE.type(), () -> new PrimitiveBackend(Backends.cpu()));
        }
    }

    /** A storage of this backend around one of the wrapped backend's. */
    record Wrapped(Storage inner, Backend backend) implements Storage {
        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public int size() {
            return inner.size();
        }
    }

    private Storage in(Storage s) {
        if (s == null) {
            return null;
        }
        if (!(s instanceof Wrapped w) || w.backend() != this) {
            throw new IllegalArgumentException("primitive backend: got a storage of another backend: " + s);
        }
        return w.inner();
    }

    private Storage out(Storage s) {
        return new Wrapped(s, this);
    }

    @Override
    public Device device() {
        return DEVICE;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return out(inner.allocate(dtype, size));
    }

    @Override
    public void read(Storage s, Buffer dst) {
        inner.read(in(s), dst);
    }

    @Override
    public void write(Storage s, Buffer src) {
        inner.write(in(s), src);
    }

    @Override
    public Storage cast(Storage s, DType dtype) {
        return out(inner.cast(in(s), dtype));
    }

    @Override
    public void fill(Storage s, double value) {
        inner.fill(in(s), value);
    }

    @Override
    public void copy(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides,
                     int[] shape) {
        inner.copy(in(src), srcOffset, srcStrides, in(dst), dstOffset, dstStrides, shape);
    }

    @Override
    public void unary(UnaryOp op, double p, Storage x, Storage y) {
        inner.unary(op, p, in(x), in(y));
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Storage x, Storage y, Storage gy, Storage gx) {
        inner.unaryBackward(op, p, in(x), in(y), in(gy), in(gx));
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape) {
        inner.binary(op, in(a), aShape, in(b), bShape, in(out), outShape);
    }

    @Override
    public void where(Storage cond, int[] condShape, Storage a, int[] aShape, Storage b, int[] bShape, Storage out,
                      int[] outShape) {
        inner.where(in(cond), condShape, in(a), aShape, in(b), bShape, in(out), outShape);
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int outer, int n, int inner, Storage out) {
        this.inner.reduce(op, in(x), outer, n, inner, in(out));
    }

    @Override
    public void argReduce(boolean max, Storage x, int outer, int n, int inner, Storage out) {
        this.inner.argReduce(max, in(x), outer, n, inner, in(out));
    }

    @Override
    public void matmul(boolean transA, boolean transB, int batch, int m, int n, int k, Storage a, int aBatchStride,
                       Storage b, int bBatchStride, Storage c, int cBatchStride, boolean accumulate) {
        inner.matmul(transA, transB, batch, m, n, k, in(a), aBatchStride, in(b), bBatchStride, in(c), cBatchStride,
                accumulate);
    }

    @Override
    public void im2col(Storage x, ConvGeometry g, Storage col) {
        inner.im2col(in(x), g, in(col));
    }

    @Override
    public void col2im(Storage col, ConvGeometry g, Storage gx) {
        inner.col2im(in(col), g, in(gx));
    }

    @Override
    public void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax) {
        inner.maxPool2d(in(x), g, in(y), in(argmax));
    }

    @Override
    public void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx) {
        inner.maxPool2dBackward(in(gy), in(argmax), g, in(gx));
    }

    @Override
    public void avgPool2d(Storage x, ConvGeometry g, Storage y) {
        inner.avgPool2d(in(x), g, in(y));
    }

    @Override
    public void avgPool2dBackward(Storage gy, ConvGeometry g, Storage gx) {
        inner.avgPool2dBackward(in(gy), g, in(gx));
    }

    @Override
    public void indexSelect(Storage x, int outer, int n, int inner, Storage index, int m, Storage out) {
        this.inner.indexSelect(in(x), outer, n, inner, in(index), m, in(out));
    }

    @Override
    public void indexAdd(Storage gy, int outer, int n, int inner, Storage index, int m, Storage gx) {
        this.inner.indexAdd(in(gy), outer, n, inner, in(index), m, in(gx));
    }

    @Override
    public void random(Storage s, boolean normal, double a, double b, long seed) {
        inner.random(in(s), normal, a, b, seed);
    }

    @Override
    public String toString() {
        return "primitive backend over " + inner;
    }
}
