package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchTransform;

/**
 * CutMix (Yun et al., 2019): a rectangle of each image is replaced by the same rectangle of
 * another image of the batch, and the labels are mixed in proportion to the area. For images
 * [B, C, H, W] or [B, H, W], once per batch, as in the authors' code:
 * <pre>
 *   lambda ~ Beta(alpha, alpha),  r = sqrt(1 - lambda)
 *   cut_h = floor(H r),  cut_w = floor(W r),  centre (cy, cx) uniform over the pixels
 *   box = rows [clip(cy - cut_h/2), clip(cy + cut_h/2)) x columns [clip(cx - cut_w/2), clip(cx + cut_w/2))
 *   x'_i = x_i outside the box, x_pi(i) inside it
 *   y'_i = lambda' y_i + (1 - lambda') y_pi(i),  lambda' = 1 - box area / (H W)
 * </pre>
 * (clip to the image; / is integer division), with pi a random permutation of the batch. The
 * label weight of the partner is exactly the fraction of pixels pasted from it. Targets become
 * float32 probabilities [B, numClasses] for {@link org.trainer.core.loss.CrossEntropyLoss}.
 */
public final class CutMix implements BatchTransform {
    private final double alpha;
    private final int numClasses;

    /**
     * alpha: the Beta distribution's parameter (1.0 in the paper: lambda uniform).
     *
     * @param alpha the Beta distribution's parameter
     * @param numClasses the number of classes of the soft targets
     */
    public CutMix(double alpha, int numClasses) {
        this.alpha = SoftLabels.checkAlpha("CutMix", alpha);
        this.numClasses = SoftLabels.checkClasses("CutMix", numClasses);
    }

    @Override
    public Batch apply(Batch batch, AugmentRandom random) {
        int[] hw = dims(batch.features());
        int h = hw[0];
        int w = hw[1];
        double lambda = random.beta(alpha, alpha);
        double r = Math.sqrt(1 - lambda);
        int cutH = (int) (h * r);
        int cutW = (int) (w * r);
        int cy = random.nextInt(h);
        int cx = random.nextInt(w);
        int top = clip(cy - cutH / 2, h);
        int bottom = clip(cy + cutH / 2, h);
        int left = clip(cx - cutW / 2, w);
        int right = clip(cx + cutW / 2, w);
        int[] partner = SoftLabels.partners(batch.size(), random);
        return paste(batch, top, left, bottom - top, right - left, partner, numClasses);
    }

    /**
     * The batch with rows [top, top + height) and columns [left, left + width) of every image taken
     * from its partner, and labels weighted by area: 1 - height width / (H W) on its own.
     *
     * @param batch images [B, C, H, W] or [B, H, W] with their labels
     * @param top the first row of the box
     * @param left the first column of the box
     * @param height the box's height
     * @param width the box's width
     * @param partner for each sample, the sample whose box it receives
     * @param numClasses the number of classes
     * @return the mixed batch, with float32 targets [B, numClasses]
     */
    public static Batch paste(Batch batch, int top, int left, int height, int width, int[] partner, int numClasses) {
        SoftLabels.checkBatch("CutMix", batch, partner);
        Tensor features = batch.features();
        int[] hw = dims(features);
        int h = hw[0];
        int w = hw[1];
        if (top < 0 || left < 0 || height < 0 || width < 0 || top + height > h || left + width > w) {
            throw new IllegalArgumentException("CutMix: box at (" + top + ", " + left + ") of " + height + " x " + width
                    + " leaves the " + h + " x " + w + " images");
        }
        double[] y = SoftLabels.rows("CutMix", batch.targets(), numClasses);
        int b = batch.size();
        float[] x = features.toFloatArray();
        float[] out = x.clone();
        int plane = h * w;
        int planes = b == 0 ? 0 : x.length / (b * plane); // channels
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < planes; c++) {
                int own = (i * planes + c) * plane;
                int other = (partner[i] * planes + c) * plane;
                for (int row = top; row < top + height; row++) {
                    System.arraycopy(x, other + row * w + left, out, own + row * w + left, width);
                }
            }
        }
        double lambda = 1 - (double) height * width / plane;
        return new Batch(Tensor.fromArray(out, features.shape()).to(features.dtype()),
                SoftLabels.mix(y, partner, lambda, numClasses));
    }

    private static int[] dims(Tensor features) {
        if (features.rank() != 3 && features.rank() != 4) {
            throw new IllegalArgumentException("CutMix: features must be images [B, C, H, W] or [B, H, W], got shape "
                    + Shapes.str(features.shape()));
        }
        return new int[] {features.size(features.rank() - 2), features.size(features.rank() - 1)};
    }

    private static int clip(int v, int n) {
        return Math.max(0, Math.min(n, v));
    }

    @Override
    public String toString() {
        return "CutMix(alpha=" + alpha + ", numClasses=" + numClasses + ")";
    }
}
