package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Mirrors an image [C, H, W] or [H, W] top to bottom with probability p (torchvision's
 * {@code RandomVerticalFlip}): out[c, i, j] = in[c, H - 1 - i, j].
 */
public final class VerticalFlip implements Transform {
    private final double p;

    /** Flips with probability 0.5. */
    public VerticalFlip() {
        this(0.5);
    }

    /**
     * Flips with probability p in [0, 1].
     *
     * @param p the probability of a flip
     */
    public VerticalFlip(double p) {
        Images.checkProbability("VerticalFlip", p);
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        Images.dims("VerticalFlip", image);
        return random.nextBoolean(p) ? flip(image) : image;
    }

    /**
     * The image mirrored top to bottom (a new tensor).
     *
     * @param image the image
     * @return the mirrored image
     */
    public static Tensor flip(Tensor image) {
        int[] d = Images.dims("VerticalFlip", image);
        int h = d[1];
        int w = d[2];
        float[] x = image.toFloatArray();
        float[] out = new float[x.length];
        for (int c = 0; c < d[0]; c++) {
            for (int i = 0; i < h; i++) {
                System.arraycopy(x, (c * h + h - 1 - i) * w, out, (c * h + i) * w, w);
            }
        }
        return Images.like(image, out, image.shape());
    }

    @Override
    public String toString() {
        return "VerticalFlip(p=" + p + ")";
    }
}
