package org.trainer.core.data;

import java.util.List;
import java.util.Objects;

import org.trainer.core.Tensor;

/**
 * A random change to one training sample's features, e.g. a flip or a crop of an image [C, H, W].
 * Attach transforms to a training loader with
 * {@link org.trainer.core.data.DataLoader.Builder#augment(Transform...)}; the loader applies them
 * in order to each sample, then stacks the results, so every sample of a batch must come out with
 * the same shape.
 *
 * <p><b>Contract.</b> {@code apply} is a pure function of the sample and the draws it takes from
 * {@code random}: no other source of randomness, no state kept between calls (the loader calls it
 * from several threads at once). It must not modify {@code sample}; it may return it unchanged.
 * Targets are left alone; batch-level changes that mix labels are {@link BatchTransform}s.
 */
@FunctionalInterface
public interface Transform {

    /**
     * The augmented sample.
     *
     * @param sample the features of one sample, without the batch axis (e.g. [C, H, W])
     * @param random this sample's own stream (see {@link AugmentRandom})
     * @return the augmented features; {@code sample} itself is not modified
     */
    Tensor apply(Tensor sample, AugmentRandom random);

    /**
     * This transform applied with probability p, else the sample unchanged (torchvision's
     * {@code RandomApply}). The coin is drawn first, from the same stream.
     *
     * @param p the probability of applying it, in [0, 1]
     * @return the transform
     */
    default Transform withProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("withProbability: p must be in [0, 1], got " + p);
        }
        Transform self = this;
        return new Transform() {
            @Override
            public Tensor apply(Tensor sample, AugmentRandom random) {
                return random.nextBoolean(p) ? self.apply(sample, random) : sample;
            }

            @Override
            public String toString() {
                return self + " with probability " + p;
            }
        };
    }

    /**
     * The transforms applied one after another, all drawing from the one stream.
     *
     * @param transforms the transforms, in order
     * @return the composed transform
     */
    static Transform compose(Transform... transforms) {
        List<Transform> ts = List.of(transforms);
        ts.forEach(t -> Objects.requireNonNull(t, "transforms"));
        return new Transform() {
            @Override
            public Tensor apply(Tensor sample, AugmentRandom random) {
                Tensor x = sample;
                for (Transform t : ts) {
                    x = t.apply(x, random);
                }
                return x;
            }

            @Override
            public String toString() {
                return "compose" + ts;
            }
        };
    }
}
