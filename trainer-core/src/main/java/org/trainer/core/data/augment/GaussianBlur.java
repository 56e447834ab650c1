package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Blurs each channel of an image [C, H, W] or [H, W] with a k x k Gaussian kernel whose sigma is
 * drawn uniformly from [sigmaMin, sigmaMax] (torchvision's {@code GaussianBlur}).
 *
 * <p>The kernel is separable: g[t] = exp(-t^2 / (2 sigma^2)) / sum_t' exp(-t'^2 / (2 sigma^2)) for
 * t = -(k-1)/2 .. (k-1)/2, applied along rows and then columns, with the image extended by
 * reflection at its borders (the edge pixel itself is not repeated: ... c b | a b c ...). The
 * weights sum to 1, so a constant image stays constant.
 */
public final class GaussianBlur implements Transform {
    private final int kernelSize;
    private final double sigmaMin;
    private final double sigmaMax;

    /**
     * torchvision's default sigma range [0.1, 2.0].
     *
     * @param kernelSize the kernel size, odd
     */
    public GaussianBlur(int kernelSize) {
        this(kernelSize, 0.1, 2.0);
    }

    /**
     * A blur with a kernel of this (odd) size and sigma in [sigmaMin, sigmaMax]; throws IllegalArgumentException unless
     * 0 &lt; sigmaMin &lt;= sigmaMax &lt; infinity and the kernel size is odd and at least 1.
     *
     * @param kernelSize the kernel size, odd
     * @param sigmaMin the smallest sigma
     * @param sigmaMax the largest sigma
     */
    public GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax) {
        checkKernel(kernelSize);
        if (!(sigmaMin > 0) || !(sigmaMax >= sigmaMin) || Double.isInfinite(sigmaMax)) {
            throw new IllegalArgumentException("GaussianBlur: sigma range must satisfy 0 < sigmaMin <= sigmaMax < inf, got ["
                    + sigmaMin + ", " + sigmaMax + "]");
        }
        this.kernelSize = kernelSize;
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
    }

    private static void checkKernel(int kernelSize) {
        if (kernelSize < 1 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("GaussianBlur: kernelSize must be odd and >= 1, got " + kernelSize);
        }
    }

    @Override
    public Tensor apply(Tensor image, AugmentRandom random) {
        Images.dims("GaussianBlur", image);
        return blur(image, kernelSize, random.uniform(sigmaMin, sigmaMax));
    }

    /**
     * The normalised 1-D kernel g of length k (see the class comment).
     *
     * @param kernelSize k, odd
     * @param sigma the standard deviation
     * @return the k weights
     */
    public static double[] kernel(int kernelSize, double sigma) {
        checkKernel(kernelSize);
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("GaussianBlur: sigma must be finite and > 0, got " + sigma);
        }
        double half = (kernelSize - 1) / 2.0;
        double[] g = new double[kernelSize];
        double sum = 0;
        for (int t = 0; t < kernelSize; t++) {
            double x = (t - half) / sigma;
            g[t] = Math.exp(-0.5 * x * x);
            sum += g[t];
        }
        for (int t = 0; t < kernelSize; t++) {
            g[t] /= sum;
        }
        return g;
    }

    /**
     * The image blurred with a k x k kernel of this sigma (a new tensor).
     *
     * @param image the image
     * @param kernelSize k, odd
     * @param sigma the standard deviation
     * @return the blurred image
     */
    public static Tensor blur(Tensor image, int kernelSize, double sigma) {
        int[] d = Images.dims("GaussianBlur", image);
        int h = d[1];
        int w = d[2];
        int r = kernelSize / 2;
        if (r >= h || r >= w) {
            throw new IllegalArgumentException("GaussianBlur: kernelSize " + kernelSize + " needs an image larger than "
                    + r + " pixels on each side for reflection, got " + h + " x " + w);
        }
        double[] g = kernel(kernelSize, sigma);
        float[] x = image.toFloatArray();
        double[] rows = new double[h * w];
        float[] out = new float[x.length];
        for (int c = 0; c < d[0]; c++) {
            int plane = c * h * w;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = 0;
                    for (int t = -r; t <= r; t++) {
                        s += g[t + r] * x[plane + i * w + reflect(j + t, w)];
                    }
                    rows[i * w + j] = s;
                }
            }
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = 0;
                    for (int t = -r; t <= r; t++) {
                        s += g[t + r] * rows[reflect(i + t, h) * w + j];
                    }
                    out[plane + i * w + j] = (float) s;
                }
            }
        }
        return Images.like(image, out, image.shape());
    }

    /** Index i reflected into [0, n) without repeating the edge; valid for -n < i < 2n - 1. */
    private static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * (n - 1) - i : i;
    }

    @Override
    public String toString() {
        return "GaussianBlur(kernelSize=" + kernelSize + ", sigma=[" + sigmaMin + ", " + sigmaMax + "])";
    }
}
