package org.trainer.core.data;

import java.util.Arrays;
import java.util.Objects;

import org.trainer.core.DType;
import org.trainer.core.GradMode;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Standardisation: {@code apply(x) = (x - mean) / std}, with mean and std broadcast against x.
 *
 * <p>{@link #fit(Tensor, int...)} estimates one mean and std per position of the axes it does not
 * reduce: per feature for tabular [N, F] with axes (0), per channel for images [N, C, H, W] with
 * axes (0, 2, 3). The std is the population one (dividing by n, as scikit-learn's StandardScaler
 * and torchvision's published constants). A constant column has std 0; it gets scale 1 instead, so
 * it maps to 0 rather than to NaN (again as StandardScaler): datasets routinely have such columns,
 * e.g. the always-blank corner pixels of the digits.
 *
 * <p>Fixed constants come from {@link #Normalize(double, double)} or {@link #of(Tensor, Tensor)},
 * e.g. Fashion-MNIST's 0.2860 / 0.3530 ({@link FashionMnist#NORMALIZE}).
 */
public final class Normalize {
    private final Tensor mean;
    private final Tensor std;

    /**
     * One mean and std for every element.
     *
     * @param mean the mean
     * @param std the standard deviation
     */
    public Normalize(double mean, double std) {
        this(Tensor.scalar(mean), Tensor.scalar(std));
        check(this.mean, this.std);
    }

    private Normalize(Tensor mean, Tensor std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Constants of any shape that broadcasts against the data, e.g. [C, 1, 1] for per-channel
     * image statistics.
     *
     * @param mean the means
     * @param std the standard deviations, of the mean's shape
     * @return the transform
     * @throws IllegalArgumentException if the shapes differ, a mean is not finite, or a std is not finite and positive
     */
    public static Normalize of(Tensor mean, Tensor std) {
        check(mean, std);
        return new Normalize(mean, std);
    }

    private static void check(Tensor mean, Tensor std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (!Arrays.equals(mean.shape(), std.shape())) {
            throw new IllegalArgumentException("Normalize: mean has shape " + Shapes.str(mean.shape())
                    + " but std has shape " + Shapes.str(std.shape()) + "; expected equal shapes");
        }
        double[] m = mean.toDoubleArray();
        double[] s = std.toDoubleArray();
        for (int i = 0; i < m.length; i++) {
            if (!Double.isFinite(m[i])) {
                throw new IllegalArgumentException("Normalize: mean[" + i + "] is " + m[i] + ", expected a finite value");
            }
            if (!(s[i] > 0) || !Double.isFinite(s[i])) {
                throw new IllegalArgumentException("Normalize: std[" + i + "] is " + s[i]
                        + ", expected a finite value > 0");
            }
        }
    }

    /**
     * Mean and population std of {@code x} over {@code axes}, kept as size-1 axes so they broadcast
     * against x (and against batches of it). Accumulates in float64, so a constant column comes out
     * exactly constant.
     *
     * @param x the data, e.g. the training features
     * @param axes the axes to reduce over, e.g. 0 for per-feature statistics of [N, F]
     * @return the transform
     * @throws IllegalArgumentException if no axis is given, an axis repeats or is out of range, the
     *                                  reduction is empty, or x holds NaN or infinity
     */
    public static Normalize fit(Tensor x, int... axes) {
        Objects.requireNonNull(x, "x");
        if (axes == null || axes.length == 0) {
            throw new IllegalArgumentException("Normalize.fit: give the axes to reduce over, e.g. 0 for [N, F] or"
                    + " 0, 2, 3 for [N, C, H, W]; got none");
        }
        Moments m = Moments.of(x, axes);
        double[] std = new double[m.var.length];
        for (int g = 0; g < std.length; g++) {
            std[g] = m.var[g] == 0 ? 1 : Math.sqrt(m.var[g]);
        }
        DType dtype = floating(x.dtype());
        return new Normalize(Tensor.fromArray(m.mean, m.keptShape).to(dtype), Tensor.fromArray(std, m.keptShape).to(dtype));
    }

    /**
     * The mean, shaped to broadcast against the data.
     *
     * @return the mean
     */
    public Tensor mean() {
        return mean;
    }

    /**
     * The std (1 where the fitted data was constant), shaped like {@link #mean()}.
     *
     * @return the std
     */
    public Tensor std() {
        return std;
    }

    /**
     * (x - mean) / std, in x's dtype (float32 for int32 x); not recorded for autograd.
     *
     * @param x the data
     * @return the standardised data
     */
    public Tensor apply(Tensor x) {
        DType dtype = floating(x.dtype());
        try (GradMode off = Tensor.noGrad()) {
            return x.to(dtype).sub(mean.to(dtype)).div(std.to(dtype));
        }
    }

    private static DType floating(DType dtype) {
        return dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /**
     * The dataset with its features standardised and its targets unchanged.
     *
     * @param data the dataset
     * @return the standardised dataset
     */
    public TensorDataset apply(TensorDataset data) {
        return new TensorDataset(apply(data.features()), data.targets());
    }

    @Override
    public String toString() {
        return "Normalize(mean " + mean + ", std " + std + ")";
    }
}
