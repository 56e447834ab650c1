package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

class DataChecksTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    /** The digits with one value replaced: features[sample, feature] = value. */
    private static TensorDataset digitsWith(int sample, int feature, float value) {
        TensorDataset d = Digits.load();
        float[] x = d.features().toFloatArray();
        x[sample * Digits.FEATURES + feature] = value;
        return new TensorDataset(Tensor.fromArray(x, Digits.SAMPLES, Digits.FEATURES), d.targets());
    }

    @Test
    void cleanDataPassesUnchanged() {
        TensorDataset d = Digits.load();
        assertSame(d, DataChecks.classification("digits", d, 10));
        assertSame(d, DataChecks.regression("digits", d));
    }

    @Test
    void nanAndInfinityNameTheSampleAndTheFeature() {
        assertEquals("digits: sample 1234, feature 17: NaN; NaN and infinity are refused",
                error(() -> DataChecks.classification("digits", digitsWith(1234, 17, Float.NaN), 10)));
        assertEquals("digits: sample 0, feature 63: -Infinity; NaN and infinity are refused",
                error(() -> DataChecks.regression("digits", digitsWith(0, 63, Float.NEGATIVE_INFINITY))));
        // Images [N, C, H, W]: the position inside the sample is given per axis.
        float[] img = new float[2 * 3 * 4 * 5];
        img[60 + 2 * 20 + 3 * 5 + 1] = Float.POSITIVE_INFINITY;
        TensorDataset images = new TensorDataset(Tensor.fromArray(img, 2, 3, 4, 5), Tensor.fromArray(new int[] {0, 1}, 2));
        assertEquals("images: sample 1, feature [2, 3, 1]: Infinity; NaN and infinity are refused",
                error(() -> DataChecks.classification("images", images, 2)));
    }

    @Test
    void labelsOutsideTheClassesNameTheirSample() {
        TensorDataset d = Digits.load();
        assertEquals("digits: sample 3: label 3 is not one of the 3 classes (expected 0 to 2)",
                error(() -> DataChecks.classification("digits", d, 3)));
        TensorDataset negative = new TensorDataset(Tensor.zeros(3, 2), Tensor.fromArray(new int[] {0, -2, 1}, 3));
        assertEquals("t: sample 1: label -2 is not one of the 2 classes (expected 0 to 1)",
                error(() -> DataChecks.classification("t", negative, 2)));
    }

    @Test
    void regressionTargetsMustBeFiniteAndClassTargetsIntegers() {
        TensorDataset y = new TensorDataset(Tensor.zeros(3, 2), Tensor.fromArray(new float[] {0.5f, Float.NaN, 1}, 3));
        assertEquals("prices: sample 1, target: NaN; NaN and infinity are refused",
                error(() -> DataChecks.regression("prices", y)));
        assertEquals("prices: targets are FLOAT32 [3], expected INT32 class labels [3]",
                error(() -> DataChecks.classification("prices", y, 2)));
        assertEquals("DataChecks.classification: numClasses must be >= 1, got 0",
                error(() -> DataChecks.classification("digits", Digits.load(), 0)));
    }
}
