package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Mirrors an image [C, H, W] or [H, W] left to right with probability p (torchvision's
 * {@code RandomHorizontalFlip}): out[c, i, j] = in[c, i, W - 1 - j].
 */
public final class HorizontalFlip implements Transform {
    private final double p;

    /** Flips with probability 0.5. */
    public HorizontalFlip() {
        this(0.5);
    }

    /**
     * Flips with probability p in [0, 1].
     *
     * @param p the probability of a flip
     */
    public HorizontalFlip(double p) {
        Images.checkProbability("HorizontalFlip", p);
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        Images.dims("HorizontalFlip", image);
        return random.nextBoolean(p) ? flip(image) : image;
    }

    /**
     * The image mirrored left to right (a new tensor).
     *
     * @param image the image
     * @return the mirrored image
     */
    public static Tensor flip(Tensor image) {
        int[] d = Images.dims("HorizontalFlip", image);
        int h = d[1];
        int w = d[2];
        float[] x = image.toFloatArray();
        float[] out = new float[x.length];
        for (int row = 0; row < d[0] * h; row++) {
            int base = row * w;
            for (int j = 0; j < w; j++) {
                out[base + j] = x[base + w - 1 - j];
            }
        }
        return Images.like(image, out, image.shape());
    }

    @Override
    public String toString() {
        return "HorizontalFlip(p=" + p + ")";
    }
}
