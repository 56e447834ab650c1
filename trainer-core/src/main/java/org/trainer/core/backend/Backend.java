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

    /** The device whose memory this backend's storages live in. */
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
     */
    default long deviceMemoryUsed() {
        return -1;
    }

    /** The device's total memory in bytes, or -1 where it does not apply (the default). */
    default long deviceMemoryTotal() {
        return -1;
    }

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, int size);

    /** A float32 storage holding a copy of {@code data}. */
    Storage fromArray(float[] data);

    /** A float64 storage holding a copy of {@code data}. */
    Storage fromArray(double[] data);

    /** An int32 storage holding a copy of {@code data}. */
    Storage fromArray(int[] data);

    /**
     * Writes the elements of {@code s} into {@code dst} at its position, advancing it: a
     * {@link FloatBuffer} for float32, {@link DoubleBuffer} for float64, {@link IntBuffer} for int32,
     * with at least {@code s.size()} elements remaining. A backend of another device reads host data
     * this way straight into its transfer buffers. The default goes through a host array.
     *
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

    /** Copies the elements to the host, converted to float. */
    float[] toFloatArray(Storage s);

    /** Copies the elements to the host, converted to double. */
    double[] toDoubleArray(Storage s);

    /** Copies the elements to the host, converted to int (floats truncated toward zero). */
    int[] toIntArray(Storage s);

    /** A new storage with the elements of {@code s} converted to {@code dtype}. */
    Storage cast(Storage s, DType dtype);

    /**
     * Writes the elements of {@code src} converted to {@code dst}'s dtype into {@code dst} (same size),
     * so that the output can come from a step's recycled memory. The default casts into a new
     * storage and copies; backends override it to write in place.
     */
    default void castInto(Storage src, Storage dst) {
        copyWhole(cast(src, dst.dtype()), dst);
    }

    /** Sets every element of {@code s} to {@code value} (converted to its dtype). */
    void fill(Storage s, double value);

    /**
     * Strided copy: for every index i of {@code shape}, dst[dstOffset + i.dstStrides] =
     * src[srcOffset + i.srcStrides]. Serves permute, slicing, concatenation and broadcast
     * materialisation. Both storages have the same dtype.
     */
    void copy(Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides, int[] shape);

    /** y = op(x, p) elementwise; x and y have the same size and may be the same storage. */
    void unary(UnaryOp op, double p, Storage x, Storage y);

    /** gx = gy * op'(x) elementwise, where y = op(x). */
    void unaryBackward(UnaryOp op, double p, Storage x, Storage y, Storage gy, Storage gx);

    /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape (all the same rank). */
    void binary(BinaryOp op, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape);

    /** out = cond != 0 ? a : b, broadcast as {@link #binary}. */
    void where(Storage cond, int[] condShape, Storage a, int[] aShape, Storage b, int[] bShape, Storage out, int[] outShape);

    /** Reduces x viewed as [outer, n, inner] along the middle axis into out [outer, inner]; n > 0. */
    void reduce(ReduceOp op, Storage x, int outer, int n, int inner, Storage out);

    /** Index (int32) of the max (or min) along the middle axis of x viewed as [outer, n, inner]; first on ties. */
    void argReduce(boolean max, Storage x, int outer, int n, int inner, Storage out);

    /**
     * Batched matrix product c[i] = a[i] x b[i] (or c[i] += ... when {@code accumulate}), with
     * a[i] of shape [m, k] ([k, m] when {@code transA}), b[i] of shape [k, n] ([n, k] when
     * {@code transB}) and c[i] [m, n]. Matrix i of each operand starts at i times its batch stride;
     * a stride of 0 broadcasts one matrix of a or b over the batch, and a C stride of 0 sums all the
     * batch's products into one C (after overwriting it with the first unless {@code accumulate}).
     */
    void matmul(boolean transA, boolean transB, int batch, int m, int n, int k,
                Storage a, int aBatchStride, Storage b, int bBatchStride, Storage c, int cBatchStride,
                boolean accumulate);

    /**
     * Negative log-likelihood of hard labels, the forward half of the fused softmax cross-entropy:
     * {@code loss[i] = -logP[i * c + labels[i]]} for i &lt; n, from log-probabilities logP [n, c] and
     * int32 labels [n]. A label outside [0, c) is an error where the backend can raise one (the
     * CPU's names its position) and a NaN loss where it cannot (a GPU kernel).
     */
    void nllLoss(Storage logP, Storage labels, int n, int c, Storage loss);

    /**
     * Gradient of the fused softmax cross-entropy with respect to the logits, from the forward's
     * log-probabilities: {@code gx[i, j] = g_i * (exp(logP[i, j]) - (j == labels[i] ? 1 : 0))}, where
     * g_i is {@code gLoss[i] * scale} for a gradient of every sample's loss (n elements) and
     * {@code gLoss[0] * scale} for the gradient of their scaled sum (one element: a mean's scale is
     * 1 / n), the product rounded to the dtype as a multiplication in it would be.
     */
    void crossEntropyBackward(Storage logP, Storage labels, Storage gLoss, double scale, int n, int c, Storage gx);

    /** (Log-)softmax of x viewed as [outer, n, inner] along the middle axis. */
    void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y);

    /** Gradient of (log-)softmax given its output y and the output's gradient gy. */
    void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx);

    /** Unfolds x [N, C, H, W] into columns [C*KH*KW, N*OH*OW] (zero padding). */
    void im2col(Storage x, ConvGeometry g, Storage col);

    /** Adjoint of {@link #im2col}: accumulates columns back into gx [N, C, H, W], which it overwrites. */
    void col2im(Storage col, ConvGeometry g, Storage gx);

    /**
     * Fused 2-D convolution, for backends that have one: y [N, OC, OH, OW] = x [N, C, H, W] convolved
     * with w [OC, C, KH, KW] (geometry {@code g}), plus bias [OC] unless it is null. Returns false,
     * writing nothing, when this backend has no fused path for these storages; the caller then uses
     * {@link #im2col} and {@link #matmul}. A backend that returns true here for some storages must
     * also return true from {@link #conv2dBackward} for them.
     */
    default boolean conv2d(Storage x, Storage w, Storage bias, ConvGeometry g, int oc, Storage y) {
        return false;
    }

    /**
     * Backward of the fused {@link #conv2d}: from the output gradient gy [N, OC, OH, OW], overwrites
     * gx [N, C, H, W], gw [OC, C, KH, KW] and gb [OC]; each is skipped when null. Returns false,
     * writing nothing, when this backend has no fused path for these storages.
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
     */
    default boolean lstmBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage c0,
                                 Storage out, Storage cs, Storage gates, Storage gOut, Storage gxProj, Storage gw,
                                 Storage gb, Storage gh0, Storage gc0, Storage dh, Storage dc) {
        return false;
    }

    /** Max pooling; writes the flat input index of each maximum (int32) into argmax. */
    void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax);

    /** Routes gy back through the recorded argmax into gx, which it overwrites. */
    void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx);

    /** Average pooling; padded cells count in the divisor (PyTorch's count_include_pad=True). */
    void avgPool2d(Storage x, ConvGeometry g, Storage y);

    /** Spreads each gy evenly over its window (padded cells included) into gx, which it overwrites. */
    void avgPool2dBackward(Storage gy, ConvGeometry g, Storage gx);

    /**
     * Gathers slices along the middle axis: out[o, j, i] = x[o, index[j], i] for x viewed as
     * [outer, n, inner] and index (int32) of length m. Indices are validated by the caller.
     */
    void indexSelect(Storage x, int outer, int n, int inner, Storage index, int m, Storage out);

    /** Adjoint of {@link #indexSelect}: gx[o, index[j], i] += gy[o, j, i]; gx is overwritten first. */
    void indexAdd(Storage gy, int outer, int n, int inner, Storage index, int m, Storage gx);

    /**
     * Fills s with counter-based random numbers: element i depends only on (seed, i), so results
     * are the same for any thread count. Uniform in [a, b) or normal with mean a and deviation b.
     */
    void random(Storage s, boolean normal, double a, double b, long seed);

    /**
     * One SGD step over a parameter in a single pass, as torch.optim.SGD: g' = g + weightDecay * w;
     * with momentum, buf = g' on the first step, else momentum * buf + (1 - dampening) * g', and the
     * direction is g' + momentum * buf (Nesterov) or buf; without momentum (buf null) it is g'.
     * Finally w -= lr * direction. Writes w and buf.
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
