package org.trainer.core.backend;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Optional;

import org.trainer.core.DType;
import org.trainer.core.Device;

/**
 * The primitives a device implements. Everything above (differentiable ops, layers, training)
 * is written in terms of these, so a new backend implements only the abstract methods here, the
 * required contract: allocation and host transfer ({@link #allocate}, {@link #read},
 * {@link #write}), {@link #cast}, {@link #fill}, strided {@link #copy}, elementwise {@link #unary}
 * (and its derivative) and broadcast {@link #binary} and {@link #where}, {@link #reduce} and
 * {@link #argReduce}, batched {@link #matmul}, {@link #im2col} and {@link #col2im}, pooling,
 * {@link #indexSelect} and {@link #indexAdd}, and {@link #random}. The default methods derive
 * conveniences from these (host arrays, casts into existing storage, moves between devices) and
 * may be overridden for speed. The abstract {@code BackendConformance} suite in core's test-jar
 * checks every required primitive against double-precision reference math.
 *
 * <p>Fused kernels (softmax, softmax cross-entropy, optimizer steps, direct convolution, the LSTM
 * recurrence) are not part of the contract: a backend may offer them as {@link Capability
 * capabilities} (see {@link Fused}), found with {@link #capability}; where it offers none, the
 * caller composes the same math from the primitives.
 *
 * <p>Pooling stays a primitive: max pooling's argmax and average pooling's padded windows would
 * take an im2col of the whole input (a KH*KW-fold copy) plus an argReduce and an indexAdd to
 * compose, a memory cost every backend would pay on every pooling layer, while each kernel is a
 * short loop to write.
 *
 * <p>Storages are contiguous and row-major. A primitive writes only its output storages and never
 * keeps a reference to its arguments. Shapes passed alongside storages are trusted: the tensor
 * layer validates them and names the user's mistake before a primitive runs.
 */
public interface Backend {

    /**
     * The device whose memory this backend's storages live in.
     *
     * @return the device
     */
    Device device();

    /**
     * The capability {@code type} where this backend offers it: the fused kernels a caller may use
     * instead of composing the same math from the required primitives. The default offers the
     * capabilities this backend implements ({@code type.isInstance(this)}); a backend that wraps
     * another overrides it to forward or withhold them.
     *
     * @param type the capability's interface, e.g. {@code Fused.Adam.class}
     * @param <T> the capability's type
     * @return the capability, or empty where the caller must use the composed fallback
     */
    default <T extends Capability> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /**
     * Waits until all work queued on the device has finished. Asynchronous devices (a GPU queues
     * kernels and returns at once) need it to time their work from the host; the default does
     * nothing, right for a backend whose primitives finish before they return, as the CPU's do.
     */
    default void synchronize() {
    }

    /**
     * Starts measuring how long the device spends executing work: from now until
     * {@link #endDeviceTiming()}, the backend times every operation it queues (kernels, products,
     * copies, fills) on the device's own clock. The measurement covers the work queued from every
     * thread, not only the caller's; calling this again while a measurement runs starts it afresh.
     * Timing costs host time per operation (a GPU records two events around each), so it is meant
     * for a sample of the steps, not for every one.
     *
     * @return true when the measurement started; false where the backend has no device clock (the
     *         default: the CPU backend's primitives run on the calling thread, whose time the host's
     *         clock already measures)
     */
    default boolean beginDeviceTiming() {
        return false;
    }

    /**
     * Ends the measurement {@link #beginDeviceTiming()} started: waits for the work queued since
     * then, and returns the nanoseconds the device spent executing it. Idle time between operations
     * (the device waiting for the host to queue more) is not counted, so this over the wall time of
     * the same stretch is the share of it the device was busy.
     *
     * @return nanoseconds of device work, or -1 without a measurement (none was started, or the
     *         backend has no device clock: the default)
     */
    default long endDeviceTiming() {
        return -1;
    }

    /**
     * Bytes of device memory this backend holds for live storages, or -1 where it does not apply
     * (the default: the CPU backend's storages are ordinary Java arrays, counted in the heap).
     *
     * @return the bytes, or -1
     */
    default long deviceMemoryUsed() {
        return -1;
    }

    /**
     * The device's total memory in bytes, or -1 where it does not apply (the default).
     *
     * @return the bytes, or -1
     */
    default long deviceMemoryTotal() {
        return -1;
    }

    /**
     * A zero-filled storage of {@code size} elements.
     *
     * @param dtype the element type
     * @param size the number of elements
     * @return the storage
     */
    Storage allocate(DType dtype, int size);

    /**
     * Writes the elements of {@code s} into {@code dst} at its position, advancing it: a
     * {@link FloatBuffer} for float32, {@link DoubleBuffer} for float64, {@link IntBuffer} for int32,
     * with at least {@code s.size()} elements remaining. How every host array leaves the device
     * ({@link #toFloatArray} and its siblings are built on it), and how a backend of another device
     * reads host data straight into its transfer buffers.
     *
     * @param s the storage to read
     * @param dst the buffer written
     * @throws IllegalArgumentException if the buffer's type does not match the dtype or it has too little room
     */
    void read(Storage s, Buffer dst);

    /**
     * Overwrites the elements of {@code s} with the next {@code s.size()} elements of {@code src},
     * advancing it: the inverse of {@link #read}, with the same buffer types. How every host array
     * reaches the device ({@link #fromArray(float[])} and its siblings are built on it), and how host
     * data (a gradient summed over ranks, say) goes back into a storage without a tensor in between.
     *
     * @param s the storage overwritten
     * @param src the buffer read
     * @throws IllegalArgumentException if the buffer's type does not match the dtype or it has too few elements
     */
    void write(Storage s, Buffer src);

    /**
     * A float32 storage holding a copy of {@code data}. The default allocates and {@link #write}s.
     *
     * @param data the elements
     * @return the storage
     */
    default Storage fromArray(float[] data) {
        Storage s = allocate(DType.FLOAT32, data.length);
        write(s, FloatBuffer.wrap(data));
        return s;
    }

    /**
     * A float64 storage holding a copy of {@code data}. The default allocates and {@link #write}s.
     *
     * @param data the elements
     * @return the storage
     */
    default Storage fromArray(double[] data) {
        Storage s = allocate(DType.FLOAT64, data.length);
        write(s, DoubleBuffer.wrap(data));
        return s;
    }

    /**
     * An int32 storage holding a copy of {@code data}. The default allocates and {@link #write}s.
     *
     * @param data the elements
     * @return the storage
     */
    default Storage fromArray(int[] data) {
        Storage s = allocate(DType.INT32, data.length);
        write(s, IntBuffer.wrap(data));
        return s;
    }

    /**
     * Overwrites {@code dst}, a storage of this backend, with the elements of {@code src}, a storage
     * of another backend with the same dtype and size: how a tensor moves between devices. The
     * default reads {@code src} into a host buffer and writes it; backends override it to skip the
     * host array (the CUDA backend stages through pinned host memory and copies asynchronously).
     *
     * @param src a storage of another backend
     * @param dst a storage of this backend, overwritten
     */
    default void copyFrom(Storage src, Storage dst) {
        Transfers.checkCopy(src, dst);
        Buffer staged = switch (src.dtype()) {
            case FLOAT32 -> FloatBuffer.allocate(src.size());
            case FLOAT64 -> DoubleBuffer.allocate(src.size());
            case INT32 -> IntBuffer.allocate(src.size());
        };
        src.backend().read(src, staged);
        write(dst, staged.flip());
    }

    /**
     * Copies the elements to the host, converted to float. The default {@link #read}s them.
     *
     * @param s the storage
     * @return the elements
     */
    default float[] toFloatArray(Storage s) {
        if (s.dtype() == DType.FLOAT32) {
            float[] a = new float[s.size()];
            read(s, FloatBuffer.wrap(a));
            return a;
        }
        double[] d = toDoubleArray(s);
        float[] a = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            a[i] = (float) d[i];
        }
        return a;
    }

    /**
     * Copies the elements to the host, converted to double. The default {@link #read}s them.
     *
     * @param s the storage
     * @return the elements
     */
    default double[] toDoubleArray(Storage s) {
        double[] a = new double[s.size()];
        switch (s.dtype()) {
            case FLOAT64 -> read(s, DoubleBuffer.wrap(a));
            case FLOAT32 -> {
                float[] f = new float[a.length];
                read(s, FloatBuffer.wrap(f));
                for (int i = 0; i < a.length; i++) {
                    a[i] = f[i];
                }
            }
            case INT32 -> {
                int[] n = new int[a.length];
                read(s, IntBuffer.wrap(n));
                for (int i = 0; i < a.length; i++) {
                    a[i] = n[i];
                }
            }
        }
        return a;
    }

    /**
     * Copies the elements to the host, converted to int (floats truncated toward zero). The default
     * {@link #read}s them.
     *
     * @param s the storage
     * @return the elements
     */
    default int[] toIntArray(Storage s) {
        if (s.dtype() == DType.INT32) {
            int[] a = new int[s.size()];
            read(s, IntBuffer.wrap(a));
            return a;
        }
        double[] d = toDoubleArray(s);
        int[] a = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            a[i] = (int) d[i];
        }
        return a;
    }

    /**
     * A new storage with the elements of {@code s} converted to {@code dtype}.
     *
     * @param s the storage
     * @param dtype the target type
     * @return the converted storage
     */
    Storage cast(Storage s, DType dtype);

    /**
     * Writes the elements of {@code src} converted to {@code dst}'s dtype into {@code dst} (same size),
     * so that the output can come from a step's recycled memory. The default casts into a new
     * storage and copies; backends override it to write in place.
     *
     * @param src the storage read
     * @param dst the storage overwritten
     */
    default void castInto(Storage src, Storage dst) {
        copyWhole(cast(src, dst.dtype()), dst);
    }

    /**
     * Sets every element of {@code s} to {@code value} (converted to its dtype).
     *
     * @param s the storage overwritten
     * @param value the value
     */
    void fill(Storage s, double value);

    /**
     * Strided copy: for every index i of {@code shape}, dst[dstOffset + i.dstStrides] =
     * src[srcOffset + i.srcStrides]. Serves permute, slicing, concatenation and broadcast
     * materialisation. Both storages have the same dtype.
     *
     * @param src the storage read
     * @param srcOffset the first element read
     * @param srcStrides src's stride per axis of shape, in elements
     * @param dst the storage written
     * @param dstOffset the first element written
     * @param dstStrides dst's stride per axis of shape, in elements
     * @param shape the shape of the copied block
     */
    void copy(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides, int[] shape);

    /**
     * y = op(x, p) elementwise; x and y have the same size and may be the same storage.
     *
     * @param op the function
     * @param p its scalar parameter
     * @param x the input
     * @param y the output
     */
    void unary(UnaryOp op, double p, Storage x, Storage y);

    /**
     * gx = gy * op'(x) elementwise, where y = op(x).
     *
     * @param op the function
     * @param p its scalar parameter
     * @param x the forward input
     * @param y the forward output
     * @param gy the output's gradient
     * @param gx the input's gradient, overwritten
     */
    void unaryBackward(UnaryOp op, double p, Storage x, Storage y, Storage gy, Storage gx);

    /**
     * out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape (all the same rank).
     *
     * @param op the function
     * @param a the left operand
     * @param aShape its shape
     * @param b the right operand
     * @param bShape its shape
     * @param out the output
     * @param outShape its shape
     */
    void binary(BinaryOp op, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape);

    /**
     * out = cond != 0 ? a : b, broadcast as {@link #binary}.
     *
     * @param cond the condition
     * @param condShape its shape
     * @param a the values where it holds
     * @param aShape their shape
     * @param b the values elsewhere
     * @param bShape their shape
     * @param out the output
     * @param outShape its shape
     */
    void where(Storage cond, int[] condShape, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape);

    /**
     * Reduces x viewed as [outer, n, inner] along the middle axis into out [outer, inner]; n > 0.
     *
     * @param op SUM, MAX or MIN
     * @param x the input
     * @param outer the product of the axes before the reduced one
     * @param n the reduced axis's size
     * @param inner the product of the axes after it
     * @param out the output
     */
    void reduce(ReduceOp op, Storage x, int outer, int n, int inner, Storage out);

    /**
     * Index (int32) of the max (or min) along the middle axis of x viewed as [outer, n, inner]; first on ties.
     *
     * @param max true for the max, false for the min
     * @param x the input
     * @param outer the product of the axes before the searched one
     * @param n the searched axis's size
     * @param inner the product of the axes after it
     * @param out the int32 output
     */
    void argReduce(boolean max, Storage x, int outer, int n, int inner, Storage out);

    /**
     * Batched matrix product c[i] = a[i] x b[i] (or c[i] += ... when {@code accumulate}), with
     * a[i] of shape [m, k] ([k, m] when {@code transA}), b[i] of shape [k, n] ([n, k] when
     * {@code transB}) and c[i] [m, n]. Matrix i of each operand starts at i times its batch stride;
     * a stride of 0 broadcasts one matrix of a or b over the batch, and a C stride of 0 sums all the
     * batch's products into one C (after overwriting it with the first unless {@code accumulate}).
     *
     * @param transA whether each a[i] is stored transposed
     * @param transB whether each b[i] is stored transposed
     * @param batch the number of products
     * @param m the rows of c[i]
     * @param n the columns of c[i]
     * @param k the inner dimension
     * @param a the left matrices
     * @param aBatchStride elements between a[i] and a[i + 1]
     * @param b the right matrices
     * @param bBatchStride elements between b[i] and b[i + 1]
     * @param c the products
     * @param cBatchStride elements between c[i] and c[i + 1]
     * @param accumulate whether to add to c instead of overwriting it
     */
    void matmul(boolean transA, boolean transB, int batch, int m, int n, int k,
                Storage a, int aBatchStride, Storage b, int bBatchStride, Storage c, int cBatchStride,
                boolean accumulate);

    /**
     * Unfolds x [N, C, H, W] into columns [C*KH*KW, N*OH*OW] (zero padding).
     *
     * @param x the input
     * @param g the geometry
     * @param col the columns, overwritten
     */
    void im2col(Storage x, ConvGeometry g, Storage col);

    /**
     * Adjoint of {@link #im2col}: accumulates columns back into gx [N, C, H, W], which it overwrites.
     *
     * @param col the columns
     * @param g the geometry
     * @param gx the input's gradient, overwritten
     */
    void col2im(Storage col, ConvGeometry g, Storage gx);

    /**
     * Max pooling; writes the flat input index of each maximum (int32) into argmax.
     *
     * @param x the input
     * @param g the geometry
     * @param y the output
     * @param argmax the int32 indices, overwritten
     */
    void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax);

    /**
     * Routes gy back through the recorded argmax into gx, which it overwrites.
     *
     * @param gy the output's gradient
     * @param argmax the forward's indices
     * @param g the geometry
     * @param gx the input's gradient, overwritten
     */
    void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx);

    /**
     * Average pooling; padded cells count in the divisor (PyTorch's count_include_pad=True).
     *
     * @param x the input
     * @param g the geometry
     * @param y the output
     */
    void avgPool2d(Storage x, ConvGeometry g, Storage y);

    /**
     * Spreads each gy evenly over its window (padded cells included) into gx, which it overwrites.
     *
     * @param gy the output's gradient
     * @param g the geometry
     * @param gx the input's gradient, overwritten
     */
    void avgPool2dBackward(Storage gy, ConvGeometry g, Storage gx);

    /**
     * Gathers slices along the middle axis: out[o, j, i] = x[o, index[j], i] for x viewed as
     * [outer, n, inner] and index (int32) of length m. Indices are validated by the caller.
     *
     * @param x the input
     * @param outer the product of the axes before the indexed one
     * @param n the indexed axis's size
     * @param inner the product of the axes after it
     * @param index the int32 indices
     * @param m the number of indices
     * @param out the output [outer, m, inner]
     */
    void indexSelect(Storage x, int outer, int n, int inner, Storage index, int m, Storage out);

    /**
     * Adjoint of {@link #indexSelect}: gx[o, index[j], i] += gy[o, j, i]; gx is overwritten first.
     *
     * @param gy the output's gradient [outer, m, inner]
     * @param outer the product of the axes before the indexed one
     * @param n the indexed axis's size
     * @param inner the product of the axes after it
     * @param index the int32 indices
     * @param m the number of indices
     * @param gx the input's gradient, overwritten
     */
    void indexAdd(Storage gy, int outer, int n, int inner, Storage index, int m, Storage gx);

    /**
     * Fills s with counter-based random numbers: element i depends only on (seed, i), so results
     * are the same for any thread count. Uniform in [a, b) or normal with mean a and deviation b.
     *
     * @param s the storage overwritten
     * @param normal true for normal, false for uniform
     * @param a the lower bound or the mean
     * @param b the upper bound or the deviation
     * @param seed the seed
     */
    void random(Storage s, boolean normal, double a, double b, long seed);

    private void copyWhole(Storage src, Storage dst) {
        int[] unit = {1};
        copy(src, 0, unit, dst, 0, unit, new int[] {src.size()});
    }
}
