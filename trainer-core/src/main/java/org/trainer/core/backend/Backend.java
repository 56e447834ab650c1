package org.trainer.core.backend;

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

    Device device();

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, int size);

    Storage fromArray(float[] data);

    Storage fromArray(double[] data);

    Storage fromArray(int[] data);

    /** Copies the elements to the host, converted to float. */
    float[] toFloatArray(Storage s);

    /** Copies the elements to the host, converted to double. */
    double[] toDoubleArray(Storage s);

    /** Copies the elements to the host, converted to int (floats truncated toward zero). */
    int[] toIntArray(Storage s);

    /** A new storage with the elements of {@code s} converted to {@code dtype}. */
    Storage cast(Storage s, DType dtype);

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

    /** (Log-)softmax of x viewed as [outer, n, inner] along the middle axis. */
    void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y);

    /** Gradient of (log-)softmax given its output y and the output's gradient gy. */
    void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx);

    /** Unfolds x [N, C, H, W] into columns [C*KH*KW, N*OH*OW] (zero padding). */
    void im2col(Storage x, ConvGeometry g, Storage col);

    /** Adjoint of {@link #im2col}: accumulates columns back into gx [N, C, H, W], which it overwrites. */
    void col2im(Storage col, ConvGeometry g, Storage gx);

    /** Max pooling; writes the flat input index of each maximum (int32) into argmax. */
    void maxPool2d(Storage x, ConvGeometry g, Storage y, Storage argmax);

    /** Routes gy back through the recorded argmax into gx, which it overwrites. */
    void maxPool2dBackward(Storage gy, Storage argmax, ConvGeometry g, Storage gx);

    /** Average pooling; padded cells count in the divisor (PyTorch's count_include_pad=True). */
    void avgPool2d(Storage x, ConvGeometry g, Storage y);

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
}
