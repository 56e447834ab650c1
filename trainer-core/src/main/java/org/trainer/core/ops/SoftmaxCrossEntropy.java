package org.trainer.core.ops;

import java.util.Optional;

import org.trainer.core.DType;
import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;

/**
 * Softmax cross-entropy of logits [N, C] against int32 labels [N], per sample, as one op: the
 * log-softmax is kept for the backward, which is then a single pass,
 * dx[i, j] = g[i] (softmax(x)[i, j] - [j == y_i]), instead of the backward of each op of the
 * composed form. On a GPU the per-sample forward is two kernels (the mean or sum {@link #reduced}
 * two more) and the backward one, also for the reduced form.
 *
 * <p>The negative log-likelihood and the backward run the backend's {@link Fused.CrossEntropy}
 * where it offers one. Otherwise they are composed from primitives through a one-hot mask of the
 * labels, {@code hot[i, j] = (j == labels[i])}: loss[i] = -sum_j where(hot, logP, 0)[i, j], NaN for
 * a label outside [0, C) (no column matches it), and dx = g (exp(logP) - hot).
 */
public final class SoftmaxCrossEntropy extends Function {
    private final Tensor labels;
    private final int n;
    private final int c;
    /** The factor of the sum ({@link #reduced}), or 1 for the per-sample losses. */
    private final double scale;
    private Tensor logP;
    private Tensor perSample;

    private SoftmaxCrossEntropy(Tensor logits, Tensor labels, int n, int c, double scale) {
        super(logits);
        this.labels = labels;
        this.n = n;
        this.c = c;
        this.scale = scale;
    }

    /**
     * The loss of each sample, -log softmax(logits)[i, labels[i]], shape [N].
     *
     * @param logits [N, C]
     * @param labels int32 [N]
     * @return the losses [N]
     * @throws IllegalArgumentException if logits are not floating [N, C], labels not int32 [N] on the
     *         same device, or (labels on the CPU) a label is outside [0, C)
     */
    public static Tensor apply(Tensor logits, Tensor labels) {
        SoftmaxCrossEntropy f = forward(logits, labels, 1);
        return f.record(f.perSample);
    }

    /**
     * The sum of the samples' losses times {@code scale}, a scalar: the mean with scale 1 / N, the
     * sum with 1. Computed as the sum of the per-sample losses, then scaled, as the composed form
     * rounds it; its backward is the one pass of {@link #apply}'s, fed the scalar's gradient.
     *
     * @param logits [N, C]
     * @param labels int32 [N]
     * @param scale the factor of the sum
     * @return the scalar loss
     * @throws IllegalArgumentException as {@link #apply}, and for logits without samples
     */
    public static Tensor reduced(Tensor logits, Tensor labels, double scale) {
        SoftmaxCrossEntropy f = forward(logits, labels, scale);
        if (f.n == 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy: logits of shape " + Shapes.str(logits.shape())
                    + " have no samples to reduce");
        }
        Backend b = logits.backend();
        Tensor sum = Ops.empty(b, logits.dtype(), new int[0]);
        b.reduce(ReduceOp.SUM, f.perSample.storage(), 1, f.n, 1, sum.storage());
        if (scale == 1) {
            return f.record(sum);
        }
        Tensor out = Ops.empty(b, logits.dtype(), new int[0]);
        b.unary(UnaryOp.SCALE, scale, sum.storage(), out.storage());
        return f.record(out);
    }

    private static SoftmaxCrossEntropy forward(Tensor logits, Tensor labels, double scale) {
        Ops.floating("softmaxCrossEntropy", logits);
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("softmaxCrossEntropy: logits must have shape [N, C], got "
                    + Shapes.str(logits.shape()));
        }
        int n = logits.size(0);
        int c = logits.size(1);
        if (labels.dtype() != DType.INT32 || labels.rank() != 1 || labels.size(0) != n) {
            throw new IllegalArgumentException("softmaxCrossEntropy: labels must be INT32 of shape [" + n + "], got "
                    + labels.dtype() + " " + Shapes.str(labels.shape()));
        }
        if (c == 0 && n > 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy: logits of shape " + Shapes.str(logits.shape())
                    + " have no classes");
        }
        if (!labels.device().equals(logits.device())) {
            throw new IllegalArgumentException("softmaxCrossEntropy: labels are on " + labels.device()
                    + ", logits on " + logits.device());
        }
        SoftmaxCrossEntropy f = new SoftmaxCrossEntropy(logits, labels, n, c, scale);
        f.logP = Ops.empty(logits.backend(), logits.dtype(), logits.shape());
        f.perSample = Ops.empty(logits.backend(), logits.dtype(), new int[] {n});
        if (n > 0 && c > 0) {
            Backend b = logits.backend();
            Softmax.forward(b, true, logits.storage(), n, c, 1, f.logP.storage());
            Optional<Fused.CrossEntropy> fused = b.capability(Fused.CrossEntropy.class);
            if (fused.isPresent()) {
                fused.get().nllLoss(f.logP.storage(), labels.storage(), n, c, f.perSample.storage());
            } else {
                composedNll(b, f.logP.storage(), labels.storage(), n, c, f.perSample.storage());
            }
        }
        return f;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(g.backend(), g.dtype(), new int[] {n, c});
        if (n > 0 && c > 0) {
            Backend b = g.backend();
            Optional<Fused.CrossEntropy> fused = b.capability(Fused.CrossEntropy.class);
            if (fused.isPresent()) {
                fused.get().crossEntropyBackward(logP.storage(), labels.storage(), g.storage(), scale, n, c,
                        gx.storage());
            } else {
                composedBackward(b, g.storage(), gx.storage());
            }
        }
        return new Tensor[] {gx};
    }

    /** The one-hot mask [n, c] of the labels, in the dtype of the log-probabilities. */
    private static Storage oneHot(Backend b, DType dtype, Storage labels, int n, int c) {
        double[] columns = new double[c];
        for (int j = 0; j < c; j++) {
            columns[j] = j;
        }
        Storage iota = b.cast(b.fromArray(columns), dtype);
        Storage y = b.cast(labels, dtype);
        Storage hot = b.allocate(dtype, n * c);
        b.binary(BinaryOp.EQ, y, new int[] {n, 1}, iota, new int[] {1, c}, hot, new int[] {n, c});
        return hot;
    }

    /** loss[i] = -logP[i, labels[i]] from primitives; NaN where labels[i] is outside [0, c). */
    private static void composedNll(Backend b, Storage logP, Storage labels, int n, int c, Storage loss) {
        int[] nc = {n, c};
        int[] one = {1, 1};
        Storage hot = oneHot(b, logP.dtype(), labels, n, c);
        Storage zero = b.allocate(logP.dtype(), 1);
        Storage picked = b.allocate(logP.dtype(), n * c);
        b.where(hot, nc, logP, nc, zero, one, picked, nc);
        Storage sum = b.allocate(logP.dtype(), n);
        b.reduce(ReduceOp.SUM, picked, n, c, 1, sum);
        b.unary(UnaryOp.NEG, 0, sum, sum);
        Storage hits = b.allocate(logP.dtype(), n);
        b.reduce(ReduceOp.SUM, hot, n, c, 1, hits);
        Storage nan = b.allocate(logP.dtype(), 1);
        b.fill(nan, Double.NaN);
        b.where(hits, new int[] {n}, sum, new int[] {n}, nan, new int[] {1}, loss, new int[] {n});
    }

    /** gx = g (exp(logP) - hot) from primitives, g being gLoss * scale per sample (or one for all). */
    private void composedBackward(Backend b, Storage gLoss, Storage gx) {
        int[] nc = {n, c};
        DType dtype = logP.dtype();
        Storage p = b.allocate(dtype, n * c);
        b.unary(UnaryOp.EXP, 0, logP.storage(), p);
        Storage d = b.allocate(dtype, n * c);
        b.binary(BinaryOp.SUB, p, nc, oneHot(b, dtype, labels.storage(), n, c), nc, d, nc);
        Storage g = b.allocate(dtype, gLoss.size());
        b.unary(UnaryOp.SCALE, scale, gLoss, g);
        b.binary(BinaryOp.MUL, g, gLoss.size() == 1 ? new int[] {1, 1} : new int[] {n, 1}, d, nc, gx, nc);
    }

    @Override
    public String name() {
        return "SoftmaxCrossEntropy";
    }
}
