package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Matrix product over the last two axes, batched over the leading ones with broadcasting. A single
 * right-hand matrix is folded into one large product ([B*m, k] x [k, n]); a single left-hand matrix
 * is reused across the batch with a batch stride of 0. Backward: dA = dC B^T, dB = A^T dC, each one
 * batched product, summed over the batch where an operand was broadcast (an output batch stride of 0).
 */
public final class MatMul extends Function {
    private final Tensor a;
    private final Tensor b;
    private final int batch;
    private final int m;
    private final int n;
    private final int k;
    private final int aStride;
    private final int bStride;

    private MatMul(Tensor a, Tensor b, int batch, int m, int n, int k, int aStride, int bStride) {
        super(a, b);
        this.a = a;
        this.b = b;
        this.batch = batch;
        this.m = m;
        this.n = n;
        this.k = k;
        this.aStride = aStride;
        this.bStride = bStride;
    }

    /**
     * The batched matrix product [..., m, k] x [..., k, n] -&gt; [..., m, n].
     *
     * @param a the left matrices
     * @param b the right matrices
     * @return the products
     */
    public static Tensor apply(Tensor a, Tensor b) {
        Ops.floating("matmul", a);
        Ops.compatible("matmul", a, b);
        int[] as = a.shape();
        int[] bs = b.shape();
        if (as.length < 2 || bs.length < 2) {
            throw new IllegalArgumentException("matmul: expected tensors of rank >= 2, got " + Shapes.str(as) + " x "
                    + Shapes.str(bs));
        }
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.str(as) + " x "
                    + Shapes.str(bs) + " (" + k + " != " + bs[bs.length - 2] + ")");
        }
        int[] batchA = Arrays.copyOf(as, as.length - 2);
        int[] batchB = Arrays.copyOf(bs, bs.length - 2);
        int[] batchOut = Shapes.broadcast("matmul", batchA, batchB);
        int nA = Shapes.numel(batchA);
        int nB = Shapes.numel(batchB);
        int nOut = Shapes.numel(batchOut);
        if (nA != 1 && nB != 1 && (nA != nOut || nB != nOut)) {
            // Batch axes broadcast on both sides: materialise them (the copies are differentiable).
            return apply(a.broadcastTo(concat(batchOut, m, k)), b.broadcastTo(concat(batchOut, k, n)));
        }
        int[] outShape = concat(batchOut, m, n);
        MatMul f;
        if (nB == 1) {
            f = new MatMul(a, b, 1, nA * m, n, k, 0, 0);
        } else {
            f = new MatMul(a, b, nOut, m, n, k, nA == 1 ? 0 : m * k, k * n);
        }
        Tensor out = Ops.empty(a.backend(), a.dtype(), outShape);
        a.backend().matmul(false, false, f.batch, f.m, f.n, f.k, a.storage(), f.aStride, b.storage(), f.bStride,
                out.storage(), f.m * f.n, false);
        return f.record(out);
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor ga = null;
        Tensor gb = null;
        if (needsGrad(0)) {
            ga = Ops.empty(g.backend(), g.dtype(), a.shape());
            g.backend().matmul(false, true, batch, m, k, n, g.storage(), m * n, b.storage(), bStride,
                    ga.storage(), aStride, false);
        }
        if (needsGrad(1)) {
            gb = Ops.empty(g.backend(), g.dtype(), b.shape());
            g.backend().matmul(true, false, batch, k, n, m, a.storage(), aStride, g.storage(), m * n,
                    gb.storage(), bStride, false);
        }
        return new Tensor[] {ga, gb};
    }
}
