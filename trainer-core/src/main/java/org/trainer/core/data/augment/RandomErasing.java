package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Random erasing (Zhong et al., 2017; torchvision's {@code RandomErasing}): with probability p,
 * sets a random rectangle of an image [C, H, W] or [H, W], in every channel, to {@code value}.
 *
 * <p>The rectangle: up to 10 attempts draw a target area A = H W s with s uniform in [scaleMin,
 * scaleMax] and an aspect ratio r = exp(u) with u uniform in [ln ratioMin, ln ratioMax], then
 * h = round(sqrt(A r)), w = round(sqrt(A / r)); the first attempt with h &lt; H and w &lt; W is
 * placed at a uniformly random top-left corner inside the image. When no attempt fits, the image is
 * returned unchanged. Cutout (DeVries and Taylor, 2017) is the special case of a fixed area and
 * ratio: {@link #cutout(int, int)}.
 */
public final class RandomErasing implements Transform {
    private final double p;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final double value;

    /** torchvision's defaults: p 0.5, scale [0.02, 0.33], ratio [0.3, 3.3], value 0. */
    public RandomErasing() {
        this(0.5, 0.02, 0.33, 0.3, 3.3, 0);
    }

    /**
     * Erases with probability p a rectangle of area fraction in [scaleMin, scaleMax] and aspect ratio in [ratioMin,
     * ratioMax], setting it to {@code value} (torchvision's defaults are 0.02, 0.33, 0.3, 3.3, 0); throws
     * IllegalArgumentException unless 0 &lt; scaleMin &lt;= scaleMax &lt;= 1 and 0 &lt; ratioMin &lt;= ratioMax &lt;
     * infinity.
     *
     * @param p the probability of erasing
     * @param scaleMin the smallest area fraction
     * @param scaleMax the largest area fraction
     * @param ratioMin the smallest aspect ratio
     * @param ratioMax the largest aspect ratio
     * @param value the value of the erased pixels
     */
    public RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax, double value) {
        Images.checkProbability("RandomErasing", p);
        if (!(scaleMin > 0) || !(scaleMax >= scaleMin) || scaleMax > 1) {
            throw new IllegalArgumentException("RandomErasing: scale range must satisfy 0 < scaleMin <= scaleMax <= 1,"
                    + " got [" + scaleMin + ", " + scaleMax + "]");
        }
        if (!(ratioMin > 0) || !(ratioMax >= ratioMin) || Double.isInfinite(ratioMax)) {
            throw new IllegalArgumentException("RandomErasing: ratio range must satisfy 0 < ratioMin <= ratioMax < inf,"
                    + " got [" + ratioMin + ", " + ratioMax + "]");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("RandomErasing: value must be finite, got " + value);
        }
        this.p = p;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
        this.value = value;
    }

    /**
     * Cutout: always erases a square of {@code side} x {@code side} pixels (area fraction side^2 /
     * (H W) for an image of {@code imageSide} x {@code imageSide}) placed inside the image, to 0.
     *
     * @param side the square's side, in pixels
     * @param imageSide the images' side, in pixels
     * @return the transform
     */
    public static RandomErasing cutout(int side, int imageSide) {
        if (side < 1 || side >= imageSide) {
            throw new IllegalArgumentException("RandomErasing.cutout: side must be in [1, imageSide), got " + side
                    + " for imageSide " + imageSide);
        }
        double fraction = (double) side * side / ((double) imageSide * imageSide);
        return new RandomErasing(1, fraction, fraction, 1, 1, 0);
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        int[] d = Images.dims("RandomErasing", image);
        if (!random.nextBoolean(p)) {
            return image;
        }
        int h = d[1];
        int w = d[2];
        double area = (double) h * w;
        double logLo = Math.log(ratioMin);
        double logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * random.uniform(scaleMin, scaleMax);
            double ratio = Math.exp(random.uniform(logLo, logHi));
            int eh = (int) Math.round(Math.sqrt(target * ratio));
            int ew = (int) Math.round(Math.sqrt(target / ratio));
            if (eh < h && ew < w) {
                int top = random.nextInt(0, h - eh);
                int left = random.nextInt(0, w - ew);
                return erase(image, top, left, eh, ew, value);
            }
        }
        return image;
    }

    /**
     * The image with rows [top, top + height) and columns [left, left + width) of every channel set to value.
     *
     * @param image the image
     * @param top the rectangle's first row
     * @param left the rectangle's first column
     * @param height the rectangle's height
     * @param width the rectangle's width
     * @param value the value written
     * @return the erased image
     */
    public static Tensor erase(Tensor image, int top, int left, int height, int width, double value) {
        int[] d = Images.dims("RandomErasing", image);
        int h = d[1];
        int w = d[2];
        if (top < 0 || left < 0 || height < 0 || width < 0 || top + height > h || left + width > w) {
            throw new IllegalArgumentException("RandomErasing: rectangle at (" + top + ", " + left + ") of " + height
                    + " x " + width + " leaves the " + h + " x " + w + " image");
        }
        float[] x = image.toFloatArray();
        for (int c = 0; c < d[0]; c++) {
            for (int i = top; i < top + height; i++) {
                int row = (c * h + i) * w;
                java.util.Arrays.fill(x, row + left, row + left + width, (float) value);
            }
        }
        return Images.like(image, x, image.shape());
    }

    @Override
    public String toString() {
        return "RandomErasing(p=" + p + ", scale=[" + scaleMin + ", " + scaleMax + "], ratio=[" + ratioMin + ", "
                + ratioMax + "], value=" + value + ")";
    }
}
