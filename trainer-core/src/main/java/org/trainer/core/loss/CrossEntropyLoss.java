package org.trainer.core.loss;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.ops.SoftmaxCrossEntropy;

/**
 * Softmax cross-entropy from logits, with the semantics of {@code torch.nn.functional.cross_entropy}
 * (PyTorch 1.13) for logits x of shape [N, C], optional class weights w (length C, default all 1)
 * and label smoothing eps in [0, 1). With log p = logSoftmax(x) along the class axis:
 *
 * <p><b>Integer labels</b> (an INT32 target [N], each in [0, C)):
 * <pre>
 *   l_i = (1 - eps) w[y_i] (-log p[i, y_i])  +  (eps / C) sum_c w[c] (-log p[i, c])
 *   MEAN = sum_i l_i / sum_i w[y_i]         SUM = sum_i l_i         NONE = l  (shape [N])
 * </pre>
 * The mean divides by the total weight of the samples' own classes (not by N), for the smoothing
 * term as well: this is how PyTorch combines weights with smoothing, so that a batch's loss does
 * not depend on how many samples of a light class it happens to hold. Without weights the divisor
 * is N.
 *
 * <p><b>Probability (soft) targets</b> (a floating target t of shape [N, C], rows summing to 1):
 * the target is smoothed to t' = (1 - eps) t + eps / C, then
 * <pre>
 *   l_i = -sum_c w[c] t'[i, c] log p[i, c]
 *   MEAN = sum_i l_i / N                    SUM = sum_i l_i         NONE = l  (shape [N])
 * </pre>
 * Here the mean divides by N even with weights, again as PyTorch does. Gradients flow to the
 * logits and, for soft targets, to the target too.
 *
 * <p><b>Ignored labels</b> ({@link #withIgnoreIndex}, PyTorch's {@code ignore_index}): a sample whose
 * label equals the ignore index adds nothing to the loss (its NONE entry is 0, its logits get no
 * gradient) and nothing to the MEAN's divisor, which is the total weight of the other samples; with
 * every sample ignored the MEAN is 0/0 = NaN, as in PyTorch. Unlike PyTorch, no index is ignored
 * unless one is set (PyTorch ignores -100 by default): an unexpected negative label is refused.
 *
 * <p><b>Sequences</b>: logits [N, T, C] with labels [N, T] (or soft targets [N, T, C]) are the
 * N*T samples of {@code cross_entropy(logits.reshape(-1, C), labels.reshape(-1))}, the layout a
 * recurrent layer's output gives; NONE returns [N, T]. (PyTorch's own rank-3 form puts the
 * classes on axis 1, [N, C, T].)
 *
 * <p>Immutable: the {@code withX} methods return a configured copy, e.g.
 * {@code new CrossEntropyLoss().withWeights(w).withLabelSmoothing(0.1)}.
 */
public final class CrossEntropyLoss implements Loss {
    private static final String NAME = "CrossEntropyLoss";

    private final float[] weights;
    private final double labelSmoothing;
    private final Reduction reduction;
    /** The label that marks a sample to skip, or null when every label counts. */
    private final Integer ignoreIndex;
    /** Constant rows by device, dtype and role (see {@link #constantRow}). */
    private final Map<String, Tensor> rows = new ConcurrentHashMap<>();

    /** No class weights, no label smoothing, mean reduction: PyTorch's defaults. */
    public CrossEntropyLoss() {
        this(null, 0, Reduction.MEAN, null);
    }

    private CrossEntropyLoss(float[] weights, double labelSmoothing, Reduction reduction, Integer ignoreIndex) {
        this.weights = weights;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
        this.ignoreIndex = ignoreIndex;
    }

    /**
     * The same loss with a weight per class (copied; length must equal C when computed). Weights must
     * be finite and non-negative; null removes them.
     *
     * @param classWeights one weight per class, or null
     * @return the new loss
     */
    public CrossEntropyLoss withWeights(float[] classWeights) {
        if (classWeights == null) {
            return new CrossEntropyLoss(null, labelSmoothing, reduction, ignoreIndex);
        }
        if (classWeights.length == 0) {
            throw new IllegalArgumentException(NAME + ": weights is empty, expected one weight per class");
        }
        for (int c = 0; c < classWeights.length; c++) {
            if (!(classWeights[c] >= 0) || Float.isInfinite(classWeights[c])) {
                throw new IllegalArgumentException(NAME + ": weights[" + c + "] is " + classWeights[c]
                        + ", expected a finite value >= 0");
            }
        }
        return new CrossEntropyLoss(classWeights.clone(), labelSmoothing, reduction, ignoreIndex);
    }

    /**
     * The same loss with label smoothing eps in [0, 1) (0 turns it off).
     *
     * @param eps the smoothing, in [0, 1)
     * @return the new loss
     */
    public CrossEntropyLoss withLabelSmoothing(double eps) {
        if (!(eps >= 0 && eps < 1)) {
            throw new IllegalArgumentException(NAME + ": labelSmoothing must be in [0, 1), got " + eps);
        }
        return new CrossEntropyLoss(weights, eps, reduction, ignoreIndex);
    }

    /**
     * The same loss with another reduction.
     *
     * @param r MEAN, SUM or NONE
     * @return the new loss
     */
    public CrossEntropyLoss withReduction(Reduction r) {
        return new CrossEntropyLoss(weights, labelSmoothing, Reduction.check(NAME, r), ignoreIndex);
    }

    /**
     * The same loss skipping every sample whose integer label is {@code index} (e.g. the padding
     * label of a batch of sequences; PyTorch's usual choice is -100). Soft targets have no labels
     * and ignore nothing.
     *
     * @param index the label to skip
     * @return the new loss
     */
    public CrossEntropyLoss withIgnoreIndex(int index) {
        return new CrossEntropyLoss(weights, labelSmoothing, reduction, index);
    }

    /**
     * The same loss counting every label.
     *
     * @return the new loss
     */
    public CrossEntropyLoss withoutIgnoreIndex() {
        return new CrossEntropyLoss(weights, labelSmoothing, reduction, null);
    }

    /**
     * The ignored label, if one is set.
     *
     * @return the ignored label, or empty
     */
    public java.util.OptionalInt ignoreIndex() {
        return ignoreIndex == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(ignoreIndex);
    }

    /**
     * A copy of the class weights, or null when there are none.
     *
     * @return the weights, or null
     */
    public float[] weights() {
        return weights == null ? null : weights.clone();
    }

    /**
     * The label smoothing epsilon in [0, 1) (0 for none).
     *
     * @return epsilon
     */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /**
     * How the per-sample losses are reduced.
     *
     * @return the reduction
     */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor compute(Tensor prediction, Tensor target) {
        LossChecks.floating(NAME, "prediction", prediction);
        if (prediction.rank() != 2 && prediction.rank() != 3) {
            throw new IllegalArgumentException(NAME + ": prediction must be logits of shape [N, C] or [N, T, C], got "
                    + "shape " + Shapes.str(prediction.shape()));
        }
        if (target == null) {
            throw new IllegalArgumentException(NAME + ": target is null");
        }
        if (prediction.rank() == 3) {
            return sequence(prediction, target);
        }
        int n = prediction.size(0);
        int c = prediction.size(1);
        if (weights != null && weights.length != c) {
            throw new IllegalArgumentException(NAME + ": " + weights.length + " class weights for logits of shape "
                    + Shapes.str(prediction.shape()) + " (expected " + c + ")");
        }
        if (target.dtype() == DType.INT32 && weights == null && labelSmoothing == 0 && ignoreIndex == null) {
            return plainLabels(prediction, target, n, c);
        }
        Tensor logP = prediction.logSoftmax(1);
        if (target.dtype() == DType.INT32) {
            return hardLabels(logP, target, n, c);
        }
        if (!Arrays.equals(target.shape(), prediction.shape())) {
            throw new IllegalArgumentException(NAME + ": target of shape " + Shapes.str(target.shape()) + " and dtype "
                    + target.dtype() + " does not fit logits of shape " + Shapes.str(prediction.shape())
                    + " (expected INT32 labels of shape [" + n + "] or probabilities of shape [" + n + ", " + c + "])");
        }
        return softTargets(logP, target.to(prediction.dtype()), n, c);
    }

    /** Logits [N, T, C] as N*T samples of [N*T, C]; labels [N, T] or soft targets [N, T, C]. */
    private Tensor sequence(Tensor prediction, Tensor target) {
        int[] s = prediction.shape();
        boolean labels = target.dtype() == DType.INT32;
        int[] expected = labels ? new int[] {s[0], s[1]} : s;
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException(NAME + ": target of shape " + Shapes.str(target.shape()) + " and dtype "
                    + target.dtype() + " does not fit logits of shape " + Shapes.str(s) + " (expected INT32 labels of "
                    + "shape [" + s[0] + ", " + s[1] + "] or probabilities of shape " + Shapes.str(s) + ")");
        }
        Tensor flat = compute(prediction.reshape(s[0] * s[1], s[2]),
                labels ? target.reshape(s[0] * s[1]) : target.reshape(s[0] * s[1], s[2]));
        return reduction == Reduction.NONE ? flat.reshape(s[0], s[1]) : flat;
    }

    /**
     * Both terms of the labelled loss are linear in log p, so they fold into one constant coefficient
     * matrix k with l_i = -sum_c k[i, c] log p[i, c]: k = (1 - eps) w[y_i] onehot(y_i) + (eps / C) w.
     * One multiply and one row sum then serve every reduction, and autograd sees only tensor ops.
     */
    /**
     * Hard labels without class weights or smoothing, the common case, as one fused op
     * ({@link SoftmaxCrossEntropy}): on a GPU two kernels forward and one backward, where the
     * composed form below takes about eight each way. Labels on the CPU are range-checked here; a
     * label outside [0, C) on a device gives a NaN loss.
     */
    private Tensor plainLabels(Tensor prediction, Tensor target, int n, int c) {
        checkLabelShape(target, prediction, n);
        if (target.device().equals(Device.CPU)) {
            checkLabelRange(target.toIntArray(), c);
        }
        Tensor labels = target.to(prediction.device());
        return switch (reduction) {
            case MEAN -> SoftmaxCrossEntropy.reduced(prediction, labels, 1.0 / n);
            case SUM -> SoftmaxCrossEntropy.reduced(prediction, labels, 1);
            case NONE -> SoftmaxCrossEntropy.apply(prediction, labels);
        };
    }

    private static void checkLabelShape(Tensor target, Tensor logits, int n) {
        if (target.rank() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException(NAME + ": labels of shape " + Shapes.str(target.shape())
                    + " for logits of shape " + Shapes.str(logits.shape()) + " (expected [" + n + "])");
        }
    }

    private void checkLabelRange(int[] labels, int c) {
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] < 0 || labels[i] >= c) && !ignored(labels[i])) {
                throw new IllegalArgumentException(NAME + ": label at position " + i + " is " + labels[i]
                        + ", expected a class in [0, " + c + ")"
                        + (ignoreIndex == null ? "" : " or the ignore index " + ignoreIndex));
            }
        }
    }

    private Tensor hardLabels(Tensor logP, Tensor target, int n, int c) {
        checkLabelShape(target, logP, n);
        if (!target.device().equals(Device.CPU)) {
            return labelsOnDevice(logP, target, c);
        }
        int[] labels = target.toIntArray();
        checkLabelRange(labels, c);
        double[] k = new double[n * c];
        double divisor = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (ignored(y)) {
                continue;
            }
            for (int j = 0; j < c; j++) {
                k[i * c + j] = labelSmoothing / c * weight(j);
            }
            k[i * c + y] += (1 - labelSmoothing) * weight(y);
            divisor += weight(y);
        }
        Tensor perSample = logP.mul(LossChecks.constant(k, logP, n, c)).sum(1, false).neg();
        return reduce(perSample, divisor);
    }

    /**
     * The same loss for labels that live on a device, without copying them to the host (a copy in
     * the middle of a step stalls the device's queue and doubled a GPU step's time): the one-hot
     * matrix is formed on the device as labels == [0, 1, ..., C-1], and k = (1 - eps) w onehot +
     * (eps / C) w as above. The price: labels on a device are not range-checked; one outside
     * [0, C) has an all-zero row and adds nothing to the loss. Labels on the CPU are always checked.
     */
    Tensor labelsOnDevice(Tensor logP, Tensor target, int c) {
        Tensor column = target.to(logP.dtype()).reshape(-1, 1);
        Tensor oneHot = column.eq(constantRow(logP, c, null));
        Tensor perClass;
        Tensor divisor = null;
        if (weights == null) {
            perClass = labelSmoothing == 0 ? oneHot : oneHot.mul(1 - labelSmoothing).add(labelSmoothing / c);
        } else {
            Tensor w = constantRow(logP, c, weights);
            Tensor own = oneHot.mul(w);
            perClass = labelSmoothing == 0 ? own : own.mul(1 - labelSmoothing).add(w.mul(labelSmoothing / c));
            divisor = own.sum();
        }
        if (ignoreIndex != null) {
            // Ignored rows: no smoothing term either, and out of the mean's divisor.
            Tensor kept = column.ne(Tensor.full(logP.device(), logP.dtype(), ignoreIndex));
            perClass = perClass.mul(kept);
            divisor = divisor != null ? oneHot.mul(constantRow(logP, c, weights)).mul(kept).sum() : kept.sum();
        }
        Tensor perSample = logP.mul(perClass).sum(1, false).neg();
        if (reduction == Reduction.MEAN && divisor != null) {
            return perSample.sum().div(divisor);
        }
        return reduce(perSample, logP.size(0));
    }

    /**
     * A [1, C] row on the logits' device and dtype: the class indices 0..C-1, or the class weights.
     * Made once per device and dtype and kept outside any step's memory scope, so that forming it
     * costs no upload (which would also stall the device) in later steps.
     */
    private Tensor constantRow(Tensor like, int c, float[] values) {
        String key = like.device() + "/" + like.dtype() + "/" + c + (values == null ? "/classes" : "/weights");
        return rows.computeIfAbsent(key, k -> {
            float[] v = values != null ? values : new float[c];
            if (values == null) {
                for (int j = 0; j < c; j++) {
                    v[j] = j;
                }
            }
            try (MemoryScope keep = MemoryScope.persistent()) {
                return Tensor.fromArray(v, 1, c).to(like.dtype()).to(like.device());
            }
        });
    }

    private Tensor softTargets(Tensor logP, Tensor target, int n, int c) {
        Tensor t = labelSmoothing == 0 ? target : target.mul(1 - labelSmoothing).add(labelSmoothing / c);
        if (weights != null) {
            double[] w = new double[c];
            for (int j = 0; j < c; j++) {
                w[j] = weights[j];
            }
            t = t.mul(LossChecks.constant(w, logP, c));
        }
        return reduce(logP.mul(t).sum(1, false).neg(), n);
    }

    private Tensor reduce(Tensor perSample, double meanDivisor) {
        return switch (reduction) {
            case MEAN -> perSample.sum().div(meanDivisor);
            case SUM -> perSample.sum();
            case NONE -> perSample;
        };
    }

    private boolean ignored(int label) {
        return ignoreIndex != null && label == ignoreIndex;
    }

    private double weight(int c) {
        return weights == null ? 1 : weights[c];
    }

    @Override
    public String toString() {
        return NAME + "(weights=" + (weights == null ? "none" : Arrays.toString(weights)) + ", labelSmoothing="
                + labelSmoothing + ", reduction=" + reduction + ")";
    }
}
