package org.trainer.core.backend;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

import org.trainer.core.DType;
import org.trainer.core.Device;

/**
 * The primitives a device implements. Everything above (differentiable ops, layers, training)
 * is written in terms of these, so a new backend implements only this interface.
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
     * A float32 storage holding a copy of {@code data}.
     *
     * @param data the elements
     * @return the storage
     */
    Storage fromArray(float[] data);

    /**
     * A float64 storage holding a copy of {@code data}.
     *
     * @param data the elements
     * @return the storage
     */
    Storage fromArray(double[] data);

    /**
     * An int32 storage holding a copy of {@code data}.
     *
     * @param data the elements
     * @return the storage
     */
    Storage fromArray(int[] data);

    /**
     * Writes the elements of {@code s} into {@code dst} at its position, advancing it: a
     * {@link FloatBuffer} for float32, {@link DoubleBuffer} for float64, {@link IntBuffer} for int32,
     * with at least {@code s.size()} elements remaining. A backend of another device reads host data
     * this way straight into its transfer buffers. The default goes through a host array.
     *
     * @param s the storage to read
     * @param dst the buffer written
     * @throws IllegalArgumentException if the buffer's type does not match the dtype or it has too little room
     */
    default void read(Storage s, Buffer dst) {
        Transfers.checkBuffer(s, dst);
        switch (s.dtype()) {
            case FLOAT32 -> ((FloatBuffer) dst).put(toFloatArray(s));
            case FLOAT64 -> ((DoubleBuffer) dst).put(toDoubleArray(s));
            case INT32 -> ((IntBuffer) dst).put(toIntArray(s));
        }
    }

    /**
     * Overwrites the elements of {@code s} with the next {@code s.size()} elements of {@code src},
     * advancing it: the inverse of {@link #read}, with the same buffer types. How host data (a
     * gradient summed over ranks, say) goes back into a storage without a tensor in between. The
     * default stages through a host array and {@link #copyWhole}.
     *
     * @param s the storage overwritten
     * @param src the buffer read
     * @throws IllegalArgumentException if the buffer's type does not match the dtype or it has too few elements
     */
    default void write(Storage s, Buffer src) {
        Transfers.checkBuffer("write", "src", s, src);
        Storage staged = switch (s.dtype()) {
            case FLOAT32 -> {
                float[] a = new float[s.size()];
                ((FloatBuffer) src).get(a);
                yield fromArray(a);
            }
            case FLOAT64 -> {
                double[] a = new double[s.size()];
                ((DoubleBuffer) src).get(a);
                yield fromArray(a);
            }
            case INT32 -> {
                int[] a = new int[s.size()];
                ((IntBuffer) src).get(a);
                yield fromArray(a);
            }
        };
        copyWhole(staged, s);
    }

    /**
     * Overwrites {@code dst}, a storage of this backend, with the elements of {@code src}, a storage
     * of another backend with the same dtype and size: how a tensor moves between devices. The
     * default reads {@code src} into a host array, uploads it and copies; backends override it to
     * write {@code dst} directly (the CPU backend reads into its array, the CUDA backend stages
     * through pinned host memory and copies asynchronously).
     *
     * @param src a storage of another backend
     * @param dst a storage of this backend, overwritten
     */
    default void copyFrom(Storage src, Storage dst) {
        Transfers.checkCopy(src, dst);
        Storage staged = switch (src.dtype()) {
            case FLOAT32 -> fromArray(src.backend().toFloatArray(src));
            case FLOAT64 -> fromArray(src.backend().toDoubleArray(src));
            case INT32 -> fromArray(src.backend().toIntArray(src));
        };
        copyWhole(staged, dst);
    }

    /**
     * Copies the elements to the host, converted to float.
     *
     * @param s the storage
     * @return the elements
     */
    float[] toFloatArray(Storage s);

    /**
     * Copies the elements to the host, converted to double.
     *
     * @param s the storage
     * @return the elements
     */
    double[] toDoubleArray(Storage s);

    /**
     * Copies the elements to the host, converted to int (floats truncated toward zero).
     *
     * @param s the storage
     * @return the elements
     */
    int[] toIntArray(Storage s);

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
     * Negative log-likelihood of hard labels, the forward half of the fused softmax cross-entropy:
     * {@code loss[i] = -logP[i * c + labels[i]]} for i &lt; n, from log-probabilities logP [n, c] and
     * int32 labels [n]. A label outside [0, c) is an error where the backend can raise one (the
     * CPU's names its position) and a NaN loss where it cannot (a GPU kernel).
     *
     * @param logP the log-probabilities [n, c]
     * @param labels the int32 labels [n]
     * @param n the number of samples
     * @param c the number of classes
     * @param loss the losses [n], overwritten
     */
    void nllLoss(Storage logP, Storage labels, int n, int c, Storage loss);

    /**
     * Gradient of the fused softmax cross-entropy with respect to the logits, from the forward's
     * log-probabilities: {@code gx[i, j] = g_i * (exp(logP[i, j]) - (j == labels[i] ? 1 : 0))}, where
     * g_i is {@code gLoss[i] * scale} for a gradient of every sample's loss (n elements) and
     * {@code gLoss[0] * scale} for the gradient of their scaled sum (one element: a mean's scale is
     * 1 / n), the product rounded to the dtype as a multiplication in it would be.
     *
     * @param logP the forward's log-probabilities [n, c]
     * @param labels the int32 labels [n]
     * @param gLoss the loss's gradient, n elements or one
     * @param scale the factor applied to gLoss
     * @param n the number of samples
     * @param c the number of classes
     * @param gx the logits' gradient [n, c], overwritten
     */
    void crossEntropyBackward(Storage logP, Storage labels, Storage gLoss, double scale, int n, int c, Storage gx);

    /**
     * (Log-)softmax of x viewed as [outer, n, inner] along the middle axis.
     *
     * @param log whether to compute the log-softmax
     * @param x the input
     * @param outer the product of the axes before the softmax axis
     * @param n the softmax axis's size
     * @param inner the product of the axes after it
     * @param y the output
     */
    void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y);

    /**
     * Gradient of (log-)softmax given its output y and the output's gradient gy.
     *
     * @param log whether the forward was the log-softmax
     * @param y the forward's output
     * @param gy the output's gradient
     * @param outer the product of the axes before the softmax axis
     * @param n the softmax axis's size
     * @param inner the product of the axes after it
     * @param gx the input's gradient, overwritten
     */
    void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx);

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
     * Fused 2-D convolution, for backends that have one: y [N, OC, OH, OW] = x [N, C, H, W] convolved
     * with w [OC, C, KH, KW] (geometry {@code g}), plus bias [OC] unless it is null. Returns false,
     * writing nothing, when this backend has no fused path for these storages; the caller then uses
     * {@link #im2col} and {@link #matmul}. A backend that returns true here for some storages must
     * also return true from {@link #conv2dBackward} for them.
     *
     * @param x the input
     * @param w the kernels
     * @param bias the bias, or null
     * @param g the geometry
     * @param oc the output channels
     * @param y the output
     * @return whether this backend computed it
     */
    default boolean conv2d(Storage x, Storage w, Storage bias, ConvGeometry g, int oc, Storage y) {
        return false;
    }

    /**
     * Backward of the fused {@link #conv2d}: from the output gradient gy [N, OC, OH, OW], overwrites
     * gx [N, C, H, W], gw [OC, C, KH, KW] and gb [OC]; each is skipped when null. Returns false,
     * writing nothing, when this backend has no fused path for these storages.
     *
     * @param x the forward's input
     * @param w the kernels
     * @param gy the output's gradient
     * @param g the geometry
     * @param oc the output channels
     * @param gx the input's gradient, or null
     * @param gw the kernels' gradient, or null
     * @param gb the bias's gradient, or null
     * @return whether this backend computed it
     */
    default boolean conv2dBackward(Storage x, Storage w, Storage gy, ConvGeometry g, int oc, Storage gx, Storage gw,
                                   Storage gb) {
        return false;
    }

    /**
     * Fused LSTM recurrence over the T steps of one layer and direction, for backends that have one.
     * With gate blocks i, f, g, o (PyTorch's order) and, for the step at time t, fed the state
     * (h', c') of the step processed before it (t - 1, or t + 1 when {@code reverse}; h0, c0 for the
     * first):
     * <pre>
     *   z = xProj[t] + h' wHh^T + bHh                        [N, 4H]
     *   i, f, o = sigmoid(z_i, z_f, z_o),  g = tanh(z_g)
     *   c = f c' + i g,  h = o tanh(c)
     * </pre>
     * Inputs: xProj [T, N, 4H] (the input projection of every step), wHh [4H, H], bHh [4H] or null,
     * h0 and c0 [N, H]. Overwrites out [T + 1, N, H] (out[t] = h of step t, out[T] = the c of the
     * last step processed), cs [T, N, H] (c of each step) and gates [T, N, 4H] (i, f, g, o of each
     * step), which {@link #lstmBackward} reads. Returns false, writing nothing, when this backend has
     * no fused path for these storages; the caller then composes each step from {@link #matmul},
     * {@link #unary} and {@link #binary}. A backend that returns true here for some storages must
     * also return true from {@link #lstmBackward} for them.
     *
     * @param steps T
     * @param n the batch size N
     * @param hidden H
     * @param reverse whether the steps run from T - 1 down to 0
     * @param xProj [T, N, 4H]
     * @param wHh [4H, H]
     * @param bHh [4H], or null
     * @param h0 [N, H]
     * @param c0 [N, H]
     * @param out [T + 1, N, H], overwritten
     * @param cs [T, N, H], overwritten
     * @param gates [T, N, 4H], overwritten
     * @return whether this backend computed it
     */
    default boolean lstmForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                                Storage h0, Storage c0, Storage out, Storage cs, Storage gates) {
        return false;
    }

    /**
     * Backward of {@link #lstmForward}, given its inputs and outputs and gOut [T + 1, N, H], the
     * gradient of out. Overwrites gxProj [T, N, 4H] (the gradient of z at every step, which is that
     * of xProj), and gw [4H, H], gb [4H], gh0 and gc0 [N, H] unless null; dh and dc are [N, H]
     * scratch. Returns false, writing nothing, when this backend has no fused path.
     *
     * @param steps T
     * @param n the batch size N
     * @param hidden H
     * @param reverse as in the forward
     * @param wHh [4H, H]
     * @param h0 [N, H]
     * @param c0 [N, H]
     * @param out the forward's out
     * @param cs the forward's cs
     * @param gates the forward's gates
     * @param gOut [T + 1, N, H]
     * @param gxProj [T, N, 4H], overwritten
     * @param gw [4H, H], or null
     * @param gb [4H], or null
     * @param gh0 [N, H], or null
     * @param gc0 [N, H], or null
     * @param dh [N, H] scratch
     * @param dc [N, H] scratch
     * @return whether this backend computed it
     */
    default boolean lstmBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage c0,
                                 Storage out, Storage cs, Storage gates, Storage gOut, Storage gxProj, Storage gw,
                                 Storage gb, Storage gh0, Storage gc0, Storage dh, Storage dc) {
        return false;
    }

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

    /**
     * One SGD step over a parameter in a single pass, as torch.optim.SGD: g' = g + weightDecay * w;
     * with momentum, buf = g' on the first step, else momentum * buf + (1 - dampening) * g', and the
     * direction is g' + momentum * buf (Nesterov) or buf; without momentum (buf null) it is g'.
     * Finally w -= lr * direction. Writes w and buf.
     *
     * @param w the parameter
     * @param g its gradient
     * @param buf the momentum buffer, or null
     * @param lr the learning rate
     * @param momentum the momentum
     * @param dampening the dampening
     * @param weightDecay the L2 coefficient
     * @param nesterov whether to use Nesterov momentum
     * @param firstStep whether this is the buffer's first step
     */
    void sgdStep(Storage w, Storage g, Storage buf, double lr, double momentum, double dampening, double weightDecay,
                 boolean nesterov, boolean firstStep);

    /**
     * One Adam or AdamW step over a parameter, as torch.optim.Adam / torch.optim.AdamW, with t =
     * {@code step} (1 on the first step), bias corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t:
     * <pre>
     *   w  = w (1 - lr weightDecay)                    (decoupled, AdamW)
     *   g' = g + weightDecay w                         (otherwise, L2 as Adam; g' = g when decoupled)
     *   m  = beta1 m + (1 - beta1) g'
     *   v  = beta2 v + (1 - beta2) g'^2
     *   vMax = max(vMax, v)                            (AMSGrad, when vMax is not null)
     *   w  = w - (lr / c1) m / (sqrt(vMax or v) / sqrt(c2) + eps)
     * </pre>
     * Writes w, m, v and vMax. The default composes the update from {@link #unary}, {@link #binary}
     * and {@link #copy} with temporaries (about fifteen passes over memory); a backend overrides it
     * with a single pass.
     *
     * @param w the parameter
     * @param g its gradient
     * @param m the first moment
     * @param v the second moment
     * @param vMax the running maximum of v, or null
     * @param lr the learning rate
     * @param beta1 the first moment's decay
     * @param beta2 the second moment's decay
     * @param eps added to the denominator
     * @param weightDecay the weight decay
     * @param decoupled true for AdamW, false for Adam
     * @param step t, from 1
     */
    default void adamStep(Storage w, Storage g, Storage m, Storage v, Storage vMax, double lr, double beta1,
                          double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        int n = w.size();
        int[] s = {n};
        Storage a = allocate(w.dtype(), n);
        Storage b = allocate(w.dtype(), n);
        if (weightDecay != 0 && decoupled) {
            unary(UnaryOp.SCALE, 1 - lr * weightDecay, w, w);
        }
        Storage grad = decoupled ? g : withL2(g, w, weightDecay, a);
        unary(UnaryOp.SCALE, beta1, m, a);
        unary(UnaryOp.SCALE, 1 - beta1, grad, b);
        binary(BinaryOp.ADD, a, s, b, s, m, s);
        binary(BinaryOp.MUL, grad, s, grad, s, a, s);
        unary(UnaryOp.SCALE, 1 - beta2, a, a);
        unary(UnaryOp.SCALE, beta2, v, b);
        binary(BinaryOp.ADD, b, s, a, s, v, s);
        Storage second = v;
        if (vMax != null) {
            binary(BinaryOp.MAX, vMax, s, v, s, a, s);
            copyWhole(a, vMax);
            second = vMax;
        }
        unary(UnaryOp.SQRT, 0, second, a);
        unary(UnaryOp.SCALE, 1 / Math.sqrt(1 - Math.pow(beta2, step)), a, a);
        unary(UnaryOp.SHIFT, eps, a, a);
        binary(BinaryOp.DIV, m, s, a, s, b, s);
        unary(UnaryOp.SCALE, -lr / (1 - Math.pow(beta1, step)), b, b);
        binary(BinaryOp.ADD, w, s, b, s, a, s);
        copyWhole(a, w);
    }

    /**
     * {@link #sgdStep} over the parameters of a group that share every scalar: parameter i is w[i],
     * with gradient g[i] and momentum buffer buf[i]. Without momentum buf is null as a whole;
     * otherwise it holds a buffer for every parameter (and {@code firstStep} applies to all of them).
     * The parameters may differ in size and dtype; no storage may be written by two of them (a backend
     * may update them all at once). The result is that of calling {@code sgdStep} on each parameter in
     * turn, bit for bit, which is what the default does; a backend overrides it to update many
     * parameters per pass (multi-tensor apply). Writes every w[i] and buf[i].
     *
     * @param w the parameters
     * @param g their gradients
     * @param buf their momentum buffers, or null
     * @param lr the learning rate
     * @param momentum the momentum
     * @param dampening the dampening
     * @param weightDecay the L2 coefficient
     * @param nesterov whether to use Nesterov momentum
     * @param firstStep whether this is the buffers' first step
     * @throws IllegalArgumentException if g or buf differ from w in length, an entry is null or differs
     *         from its w in dtype or size, or a written storage appears twice ({@link GroupSteps})
     */
    default void sgdSteps(Storage[] w, Storage[] g, Storage[] buf, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov, boolean firstStep) {
        GroupSteps.checkSgd(w, g, buf);
        for (int i = 0; i < w.length; i++) {
            sgdStep(w[i], g[i], buf == null ? null : buf[i], lr, momentum, dampening, weightDecay, nesterov,
                    firstStep);
        }
    }

    /**
     * {@link #adamStep} over the parameters of a group that share every scalar, the step count
     * included: parameter i is w[i], with gradient g[i] and moments m[i], v[i] and vMax[i]. Without
     * AMSGrad vMax is null as a whole; otherwise it holds a maximum for every parameter. The
     * parameters may differ in size and dtype; no storage may be written by two of them (a backend may
     * update them all at once). The result is that of calling {@code adamStep} on each parameter in
     * turn, bit for bit, which is what the default does; a backend overrides it to update many
     * parameters per pass (multi-tensor apply). Writes every w[i], m[i], v[i] and vMax[i].
     *
     * @param w the parameters
     * @param g their gradients
     * @param m their first moments
     * @param v their second moments
     * @param vMax their running maxima of v, or null
     * @param lr the learning rate
     * @param beta1 the first moment's decay
     * @param beta2 the second moment's decay
     * @param eps added to the denominator
     * @param weightDecay the weight decay
     * @param decoupled true for AdamW, false for Adam
     * @param step t, from 1
     * @throws IllegalArgumentException if g, m, v or vMax differ from w in length, an entry is null or
     *         differs from its w in dtype or size, or a written storage appears twice ({@link GroupSteps})
     */
    default void adamSteps(Storage[] w, Storage[] g, Storage[] m, Storage[] v, Storage[] vMax, double lr,
                           double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        GroupSteps.checkAdam(w, g, m, v, vMax);
        for (int i = 0; i < w.length; i++) {
            adamStep(w[i], g[i], m[i], v[i], vMax == null ? null : vMax[i], lr, beta1, beta2, eps, weightDecay,
                    decoupled, step);
        }
    }

    /**
     * One RMSprop step over a parameter, as torch.optim.RMSprop:
     * <pre>
     *   g'  = g + weightDecay w
     *   sq  = alpha sq + (1 - alpha) g'^2
     *   ga  = alpha ga + (1 - alpha) g'                 (centered, when gradAvg is not null)
     *   avg = sqrt(sq - ga^2) + eps   (centered)   or   sqrt(sq) + eps
     *   buf = momentum buf + g' / avg;  w = w - lr buf  (when buf is not null)
     *   w   = w - lr g' / avg                           (otherwise)
     * </pre>
     * Writes w, squareAvg, gradAvg and buf. The default composes the update from primitives; a
     * backend overrides it with a single pass.
     *
     * @param w the parameter
     * @param g its gradient
     * @param squareAvg sq
     * @param gradAvg ga, or null when not centered
     * @param buf the momentum buffer, or null
     * @param lr the learning rate
     * @param alpha the averages' decay
     * @param eps added to the denominator
     * @param weightDecay the L2 coefficient
     * @param momentum the momentum
     */
    default void rmspropStep(Storage w, Storage g, Storage squareAvg, Storage gradAvg, Storage buf, double lr,
                             double alpha, double eps, double weightDecay, double momentum) {
        int n = w.size();
        int[] s = {n};
        Storage a = allocate(w.dtype(), n);
        Storage b = allocate(w.dtype(), n);
        Storage grad = withL2(g, w, weightDecay, a);
        binary(BinaryOp.MUL, grad, s, grad, s, a, s);
        unary(UnaryOp.SCALE, 1 - alpha, a, a);
        unary(UnaryOp.SCALE, alpha, squareAvg, b);
        binary(BinaryOp.ADD, b, s, a, s, squareAvg, s);
        if (gradAvg != null) {
            unary(UnaryOp.SCALE, alpha, gradAvg, a);
            unary(UnaryOp.SCALE, 1 - alpha, grad, b);
            binary(BinaryOp.ADD, a, s, b, s, gradAvg, s);
            binary(BinaryOp.MUL, gradAvg, s, gradAvg, s, a, s);
            binary(BinaryOp.SUB, squareAvg, s, a, s, b, s);
            unary(UnaryOp.SQRT, 0, b, a);
        } else {
            unary(UnaryOp.SQRT, 0, squareAvg, a);
        }
        unary(UnaryOp.SHIFT, eps, a, a);
        binary(BinaryOp.DIV, grad, s, a, s, b, s);
        if (buf != null) {
            unary(UnaryOp.SCALE, momentum, buf, a);
            binary(BinaryOp.ADD, a, s, b, s, buf, s);
            unary(UnaryOp.SCALE, -lr, buf, b);
        } else {
            unary(UnaryOp.SCALE, -lr, b, b);
        }
        binary(BinaryOp.ADD, w, s, b, s, a, s);
        copyWhole(a, w);
    }

    /**
     * One Adagrad step over a parameter, as torch.optim.Adagrad, with t = {@code step} (1 on the
     * first step):
     * <pre>
     *   g'  = g + weightDecay w
     *   sum = sum + g'^2
     *   w   = w - lr / (1 + (t - 1) lrDecay) g' / (sqrt(sum) + eps)
     * </pre>
     * Writes w and sum. The default composes the update from primitives; a backend overrides it
     * with a single pass.
     *
     * @param w the parameter
     * @param g its gradient
     * @param sum the sum of squares
     * @param lr the learning rate
     * @param lrDecay the learning-rate decay
     * @param eps added to the denominator
     * @param weightDecay the L2 coefficient
     * @param step t, from 1
     */
    default void adagradStep(Storage w, Storage g, Storage sum, double lr, double lrDecay, double eps,
                             double weightDecay, long step) {
        int n = w.size();
        int[] s = {n};
        Storage a = allocate(w.dtype(), n);
        Storage b = allocate(w.dtype(), n);
        Storage grad = withL2(g, w, weightDecay, a);
        binary(BinaryOp.MUL, grad, s, grad, s, a, s);
        binary(BinaryOp.ADD, sum, s, a, s, b, s);
        copyWhole(b, sum);
        unary(UnaryOp.SQRT, 0, sum, a);
        unary(UnaryOp.SHIFT, eps, a, a);
        binary(BinaryOp.DIV, grad, s, a, s, b, s);
        unary(UnaryOp.SCALE, -lr / (1 + (step - 1) * lrDecay), b, b);
        binary(BinaryOp.ADD, w, s, b, s, a, s);
        copyWhole(a, w);
    }

    // binary() does not promise that its output may alias an input, so the defaults above write
    // into a temporary and copy it over the state.
    /** g + weightDecay * w in a new storage (overwriting scratch), or g itself without decay. */
    private Storage withL2(Storage g, Storage w, double weightDecay, Storage scratch) {
        if (weightDecay == 0) {
            return g;
        }
        int[] s = {w.size()};
        Storage grad = allocate(w.dtype(), w.size());
        unary(UnaryOp.SCALE, weightDecay, w, scratch);
        binary(BinaryOp.ADD, g, s, scratch, s, grad, s);
        return grad;
    }

    private void copyWhole(Storage src, Storage dst) {
        int[] unit = {1};
        copy(src, 0, unit, dst, 0, unit, new int[] {src.size()});
    }
}
