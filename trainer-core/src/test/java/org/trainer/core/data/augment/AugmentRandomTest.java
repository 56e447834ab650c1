package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.AugmentRandom;

/** The distributions of the augmentation stream, and that its keys separate samples, epochs and seeds. */
class AugmentRandomTest {

    @Test
    void streamsAreKeyedBySeedEpochAndPosition() {
        long a = AugmentRandom.forSample(7, 0, 0).nextLong();
        assertEquals(a, AugmentRandom.forSample(7, 0, 0).nextLong());
        assertNotEquals(a, AugmentRandom.forSample(7, 0, 1).nextLong());
        assertNotEquals(a, AugmentRandom.forSample(7, 1, 0).nextLong());
        assertNotEquals(a, AugmentRandom.forSample(8, 0, 0).nextLong());
        assertNotEquals(a, AugmentRandom.forBatch(7, 0, 0).nextLong());
    }

    @Test
    void uniformGaussianAndBetaHaveTheirMoments() {
        AugmentRandom r = new AugmentRandom(12345);
        int n = 200_000;
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            s2 += g * g;
        }
        assertEquals(0, s / n, 0.01);
        assertEquals(1, s2 / n, 0.01);
        for (double alpha : new double[] {0.2, 1.0, 2.0}) {
            double m = 0;
            double v = 0;
            int k = 50_000;
            for (int i = 0; i < k; i++) {
                double b = r.beta(alpha, alpha);
                assertTrue(b >= 0 && b <= 1);
                m += b;
                v += (b - 0.5) * (b - 0.5);
            }
            assertEquals(0.5, m / k, 0.01, "mean of Beta(" + alpha + ", " + alpha + ")");
            assertEquals(1 / (4 * (2 * alpha + 1)), v / k, 0.005, "variance of Beta(" + alpha + ", " + alpha + ")");
        }
        double g = 0;
        for (int i = 0; i < 50_000; i++) {
            g += r.gamma(3.5);
        }
        assertEquals(3.5, g / 50_000, 0.05, "mean of Gamma(3.5)");
        for (int i = 0; i < 1000; i++) {
            int v = r.nextInt(-2, 2);
            assertTrue(v >= -2 && v <= 2);
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1);
        }
        assertThrows(IllegalArgumentException.class, () -> r.gamma(0));
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(3, 2));
    }
}
