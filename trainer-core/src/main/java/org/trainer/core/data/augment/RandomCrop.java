package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Pads an image [C, H, W] or [H, W] by {@code padding} pixels of value {@code fill} on every side,
 * then cuts out a {@code height} x {@code width} window at a uniformly random position (torchvision's
 * {@code RandomCrop(size, padding, fill=fill)} with constant padding): top in [0, H + 2 padding -
 * height], left in [0, W + 2 padding - width], both inclusive. The usual CIFAR and Fashion-MNIST
 * recipe is the image's own size with padding 2 to 4: a random shift of up to that many pixels.
 */
public final class RandomCrop implements Transform {
    private final int height;
    private final int width;
    private final int padding;
    private final double fill;

    /**
     * A crop of the given size after padding with zeros.
     *
     * @param height the crop's height
     * @param width the crop's width
     * @param padding the zero pixels added on every side
     */
    public RandomCrop(int height, int width, int padding) {
        this(height, width, padding, 0);
    }

    /**
     * Crops of {@code height} x {@code width} after padding every side with {@code padding} pixels of {@code fill};
     * throws IllegalArgumentException when a size is below 1 or the padding negative.
     *
     * @param height the crop's height
     * @param width the crop's width
     * @param padding the pixels added on every side
     * @param fill the value of the added pixels
     */
    public RandomCrop(int height, int width, int padding, double fill) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("RandomCrop: height and width must be >= 1, got " + height + " x "
                    + width);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
        }
        if (!Double.isFinite(fill)) {
            throw new IllegalArgumentException("RandomCrop: fill must be finite, got " + fill);
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        int[] d = Images.dims("RandomCrop", image);
        int ph = d[1] + 2 * padding;
        int pw = d[2] + 2 * padding;
        checkFits(ph, pw, height, width, padding);
        // torchvision skips the draw when the window is the whole padded image; so do we.
        if (ph == height && pw == width) {
            return crop(image, padding, fill, 0, 0, height, width);
        }
        int top = random.nextInt(0, ph - height);
        int left = random.nextInt(0, pw - width);
        return crop(image, padding, fill, top, left, height, width);
    }

    /**
     * The window [top, top + height) x [left, left + width) of the image padded by {@code padding}
     * pixels of {@code fill} on every side (coordinates in the padded image).
     *
     * @param image the image
     * @param padding the pixels added on every side
     * @param fill the value of the added pixels
     * @param top the window's first row
     * @param left the window's first column
     * @param height the window's height
     * @param width the window's width
     * @return the window
     */
    public static Tensor crop(Tensor image, int padding, double fill, int top, int left, int height, int width) {
        int[] d = Images.dims("RandomCrop", image);
        int c = d[0];
        int h = d[1];
        int w = d[2];
        checkFits(h + 2 * padding, w + 2 * padding, height, width, padding);
        if (top < 0 || left < 0 || top + height > h + 2 * padding || left + width > w + 2 * padding) {
            throw new IllegalArgumentException("RandomCrop: window at (" + top + ", " + left + ") of " + height + " x "
                    + width + " leaves the padded image of " + (h + 2 * padding) + " x " + (w + 2 * padding));
        }
        float[] x = image.toFloatArray();
        float[] out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < height; i++) {
                int si = top + i - padding;
                for (int j = 0; j < width; j++) {
                    int sj = left + j - padding;
                    out[(ch * height + i) * width + j] = si < 0 || si >= h || sj < 0 || sj >= w ? (float) fill
                            : x[(ch * h + si) * w + sj];
                }
            }
        }
        return Images.like(image, out, Images.shape(image, c, height, width));
    }

    private static void checkFits(int ph, int pw, int height, int width, int padding) {
        if (height > ph || width > pw) {
            throw new IllegalArgumentException("RandomCrop: a " + height + " x " + width + " crop does not fit the "
                    + ph + " x " + pw + " image padded by " + padding);
        }
    }

    @Override
    public String toString() {
        return "RandomCrop(" + height + "x" + width + ", padding=" + padding + ", fill=" + fill + ")";
    }
}
