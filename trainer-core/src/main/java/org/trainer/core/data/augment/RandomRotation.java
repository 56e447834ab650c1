package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Rotates an image [C, H, W] or [H, W] about its centre by an angle drawn uniformly from
 * [-degrees, degrees], counter-clockwise for positive angles, keeping its size (torchvision's
 * {@code RandomRotation} on tensors, {@code expand=False}).
 *
 * <p>The math (torchvision's, through {@code grid_sample} with {@code align_corners=False}): with
 * centre (cx, cy) = ((W - 1) / 2, (H - 1) / 2) and angle a, output pixel (i, j) reads the input at
 * <pre>
 *   x = j - cx,  y = i - cy
 *   src_j = cx + cos(a) x - sin(a) y
 *   src_i = cy + sin(a) x + cos(a) y
 * </pre>
 * by bilinear interpolation of the four neighbours or by the nearest one (rounding half to even),
 * where pixels outside the image have the value {@code fill}. Multiples of 90 degrees use exact
 * cosines and sines, so a quarter turn of a square image is exactly a transpose and a flip.
 */
public final class RandomRotation implements Transform {

    /** How a source position between pixels is read. */
    public enum Interpolation {
        /** The value of the nearest source pixel. */
        NEAREST,
        /** The bilinear blend of the four source pixels around the point. */
        BILINEAR
    }

    private final double degrees;
    private final Interpolation interpolation;
    private final double fill;

    /**
     * Angles in [-degrees, degrees], bilinear, fill 0.
     *
     * @param degrees the largest angle, in degrees
     */
    public RandomRotation(double degrees) {
        this(degrees, Interpolation.BILINEAR, 0);
    }

    /**
     * Angles in [-degrees, degrees] read with this interpolation, with {@code fill} outside the image; throws
     * IllegalArgumentException when degrees is negative or not finite, interpolation is null or fill is not finite.
     *
     * @param degrees the largest angle, in degrees
     * @param interpolation NEAREST or BILINEAR
     * @param fill the value outside the image
     */
    public RandomRotation(double degrees, Interpolation interpolation, double fill) {
        if (!(degrees >= 0) || Double.isInfinite(degrees)) {
            throw new IllegalArgumentException("RandomRotation: degrees must be finite and >= 0, got " + degrees);
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("RandomRotation: interpolation is null, expected NEAREST or BILINEAR");
        }
        if (!Double.isFinite(fill)) {
            throw new IllegalArgumentException("RandomRotation: fill must be finite, got " + fill);
        }
        this.degrees = degrees;
        this.interpolation = interpolation;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        Images.dims("RandomRotation", image);
        return rotate(image, random.uniform(-degrees, degrees), interpolation, fill);
    }

    /**
     * The image rotated by {@code angle} degrees counter-clockwise about its centre (a new tensor).
     *
     * @param image the image
     * @param angle the angle, in degrees
     * @param interpolation NEAREST or BILINEAR
     * @param fill the value outside the image
     * @return the rotated image
     */
    public static Tensor rotate(Tensor image, double angle, Interpolation interpolation, double fill) {
        int[] d = Images.dims("RandomRotation", image);
        if (!Double.isFinite(angle)) {
            throw new IllegalArgumentException("RandomRotation: angle must be finite, got " + angle);
        }
        int ch = d[0];
        int h = d[1];
        int w = d[2];
        double cos;
        double sin;
        double quarter = angle / 90;
        if (quarter == Math.rint(quarter)) {
            int q = (int) Math.floorMod((long) quarter, 4L);
            cos = new double[] {1, 0, -1, 0}[q];
            sin = new double[] {0, 1, 0, -1}[q];
        } else {
            cos = Math.cos(Math.toRadians(angle));
            sin = Math.sin(Math.toRadians(angle));
        }
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        float[] x = image.toFloatArray();
        float[] out = new float[x.length];
        for (int i = 0; i < h; i++) {
            double y = i - cy;
            for (int j = 0; j < w; j++) {
                double xx = j - cx;
                double sj = cx + cos * xx - sin * y;
                double si = cy + sin * xx + cos * y;
                for (int c = 0; c < ch; c++) {
                    int plane = c * h * w;
                    out[plane + i * w + j] = (float) (interpolation == Interpolation.NEAREST
                            ? pixel(x, plane, h, w, (long) Math.rint(si), (long) Math.rint(sj), fill)
                            : bilinear(x, plane, h, w, si, sj, fill));
                }
            }
        }
        return Images.like(image, out, image.shape());
    }

    private static double bilinear(float[] x, int plane, int h, int w, double si, double sj, double fill) {
        double fi = Math.floor(si);
        double fj = Math.floor(sj);
        double di = si - fi;
        double dj = sj - fj;
        long i0 = (long) fi;
        long j0 = (long) fj;
        return (1 - di) * ((1 - dj) * pixel(x, plane, h, w, i0, j0, fill) + dj * pixel(x, plane, h, w, i0, j0 + 1, fill))
                + di * ((1 - dj) * pixel(x, plane, h, w, i0 + 1, j0, fill) + dj * pixel(x, plane, h, w, i0 + 1, j0 + 1, fill));
    }

    private static double pixel(float[] x, int plane, int h, int w, long i, long j, double fill) {
        return i < 0 || i >= h || j < 0 || j >= w ? fill : x[plane + (int) i * w + (int) j];
    }

    @Override
    public String toString() {
        return "RandomRotation(degrees=" + degrees + ", " + interpolation + ", fill=" + fill + ")";
    }
}
