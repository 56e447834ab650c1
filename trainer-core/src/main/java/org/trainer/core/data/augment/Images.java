package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** The image layout the image transforms share: [C, H, W] or [H, W], floating, row-major. */
final class Images {
    private Images() {
    }

    /** {C, H, W} of an image [C, H, W] or [H, W] (C = 1), refusing any other shape or an int dtype. */
    static int[] dims(String op, Tensor image) {
        if (image == null) {
            throw new IllegalArgumentException(op + ": image is null");
        }
        if (!image.dtype().isFloating() || (image.rank() != 2 && image.rank() != 3)) {
            throw new IllegalArgumentException(op + ": image must be a floating tensor [C, H, W] or [H, W], got "
                    + image.dtype() + " of shape " + Shapes.str(image.shape()));
        }
        int[] s = image.shape();
        return image.rank() == 3 ? new int[] {s[0], s[1], s[2]} : new int[] {1, s[0], s[1]};
    }

    /** A tensor of the image's dtype over {@code data}, with the given shape. */
    static Tensor like(Tensor image, float[] data, int... shape) {
        return Tensor.fromArray(data, shape).to(image.dtype());
    }

    /** The shape of an image with {@code c} channels and size h x w, in the rank of {@code image}. */
    static int[] shape(Tensor image, int c, int h, int w) {
        return image.rank() == 3 ? new int[] {c, h, w} : new int[] {h, w};
    }

    static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": p must be in [0, 1], got " + p);
        }
    }
}
