package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Random brightness and contrast of an image [C, H, W] or [H, W] (torchvision's
 * {@code ColorJitter(brightness, contrast)}): factors f_b and f_c drawn uniformly from
 * [max(0, 1 - brightness), 1 + brightness] and [max(0, 1 - contrast), 1 + contrast], applied in a
 * random order, each result clamped to [lo, hi] ([0, 1] by default, for images in [0, 1]):
 * <pre>
 *   brightness:  x' = clamp(f_b x)
 *   contrast:    x' = clamp(f_c x + (1 - f_c) m)
 * </pre>
 * where m is the mean grey level of the image: the mean of 0.2989 R + 0.587 G + 0.114 B for three
 * channels, else the mean of all values. A jitter of 0 leaves that adjustment (and its clamp) out.
 * Apply it before normalising, or give the normalised range with {@link #withRange(double, double)}.
 */
public final class ColorJitter implements Transform {
    private final double brightness;
    private final double contrast;
    private final double lo;
    private final double hi;

    /**
     * Jitters of this strength for images in [0, 1]; throws IllegalArgumentException when either is negative, NaN or
     * infinite.
     *
     * @param brightness the brightness jitter, at least 0
     * @param contrast the contrast jitter, at least 0
     */
    public ColorJitter(double brightness, double contrast) {
        this(check("brightness", brightness), check("contrast", contrast), 0, 1);
    }

    private ColorJitter(double brightness, double contrast, double lo, double hi) {
        this.brightness = brightness;
        this.contrast = contrast;
        this.lo = lo;
        this.hi = hi;
    }

    private static double check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("ColorJitter: " + name + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    /**
     * The same jitter clamping to [lo, hi] instead of [0, 1].
     *
     * @param lo the lowest value
     * @param hi the highest value
     * @return the new jitter
     */
    public ColorJitter withRange(double lo, double hi) {
        if (!(lo < hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("ColorJitter: range must be finite with lo < hi, got [" + lo + ", " + hi
                    + "]");
        }
        return new ColorJitter(brightness, contrast, lo, hi);
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        Images.dims("ColorJitter", image);
        boolean brightnessFirst = random.nextBoolean(0.5);
        double fb = random.uniform(Math.max(0, 1 - brightness), 1 + brightness);
        double fc = random.uniform(Math.max(0, 1 - contrast), 1 + contrast);
        Tensor x = image;
        for (int step = 0; step < 2; step++) {
            boolean doBrightness = (step == 0) == brightnessFirst;
            if (doBrightness && brightness > 0) {
                x = adjustBrightness(x, fb, lo, hi);
            } else if (!doBrightness && contrast > 0) {
                x = adjustContrast(x, fc, lo, hi);
            }
        }
        return x;
    }

    /**
     * clamp(factor x, lo, hi), elementwise (torchvision's {@code adjust_brightness} for lo = 0, hi = 1).
     *
     * @param image the image
     * @param factor the brightness factor
     * @param lo the lowest value
     * @param hi the highest value
     * @return the adjusted image
     */
    public static Tensor adjustBrightness(Tensor image, double factor, double lo, double hi) {
        Images.dims("ColorJitter", image);
        checkFactor(factor);
        float[] x = image.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) clamp(factor * x[i], lo, hi);
        }
        return Images.like(image, x, image.shape());
    }

    /**
     * clamp(factor x + (1 - factor) m, lo, hi) with m the mean grey level (torchvision's
     * {@code adjust_contrast} for lo = 0, hi = 1).
     *
     * @param image the image
     * @param factor the contrast factor
     * @param lo the lowest value
     * @param hi the highest value
     * @return the adjusted image
     */
    public static Tensor adjustContrast(Tensor image, double factor, double lo, double hi) {
        int[] d = Images.dims("ColorJitter", image);
        checkFactor(factor);
        float[] x = image.toFloatArray();
        int plane = d[1] * d[2];
        double m = 0;
        if (d[0] == 3) {
            for (int p = 0; p < plane; p++) {
                // torchvision rounds the grey image to float32 before averaging; so do we.
                m += (float) (0.2989f * x[p] + 0.587f * x[plane + p] + 0.114f * x[2 * plane + p]);
            }
            m /= plane;
        } else {
            for (float v : x) {
                m += v;
            }
            m /= x.length;
        }
        float mean = (float) m;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) clamp(factor * x[i] + (1 - factor) * mean, lo, hi);
        }
        return Images.like(image, x, image.shape());
    }

    private static void checkFactor(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("ColorJitter: factor must be finite and >= 0, got " + factor);
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.min(hi, Math.max(lo, v));
    }

    @Override
    public String toString() {
        return "ColorJitter(brightness=" + brightness + ", contrast=" + contrast + ", range=[" + lo + ", " + hi + "])";
    }
}
