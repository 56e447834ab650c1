package org.trainer.core.ops;

import org.trainer.core.DType;
import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.UnaryOp;

/**
 * Softmax cross-entropy of logits [N, C] against int32 labels [N], per sample, as one op: the
 * log-softmax is kept for the backward, which is then a single pass,
 * dx[i, j] = g[i] (softmax(x)[i, j] - [j == y_i]), instead of the backward of each op of the
 * composed form. On a GPU the per-sample forward is two kernels (the mean or sum {@link #reduced}
 * two more) and the backward one, also for the reduced form.
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
            logits.backend().softmax(true, logits.storage(), n, c, 1, f.logP.storage());
            logits.backend().nllLoss(f.logP.storage(), labels.storage(), n, c, f.perSample.storage());
        }
        return f;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Ops.empty(g.backend(), g.dtype(), new int[] {n, c});
        if (n > 0 && c > 0) {
            g.backend().crossEntropyBackward(logP.storage(), labels.storage(), g.storage(), scale, n, c, gx.storage());
        }
        return new Tensor[] {gx};
    }

    @Override
    public String name() {
        return "SoftmaxCrossEntropy";
    }
}
