package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;
import org.trainer.core.data.augment.RandomRotation.Interpolation;

/** Exact invariants of the image transforms and their random parameters. */
class ImageTransformsTest {

    private static Tensor image(long seed, int... shape) {
        return Tensor.rand(seed, shape);
    }

    @Test
    void flippingTwiceIsTheIdentityAndOnceMirrors() {
        Tensor x = image(1, 3, 5, 7);
        assertArrayEquals(x.toFloatArray(), HorizontalFlip.flip(HorizontalFlip.flip(x)).toFloatArray());
        assertArrayEquals(x.toFloatArray(), VerticalFlip.flip(VerticalFlip.flip(x)).toFloatArray());
        float[] v = x.toFloatArray();
        float[] h = HorizontalFlip.flip(x).toFloatArray();
        float[] u = VerticalFlip.flip(x).toFloatArray();
        assertEquals(v[(2 * 5 + 3) * 7 + 6], h[(2 * 5 + 3) * 7]);
        assertEquals(v[(1 * 5 + 4) * 7 + 2], u[(1 * 5) * 7 + 2]);
    }

    @Test
    void flipProbabilityZeroAndOne() {
        Tensor x = image(2, 1, 4, 4);
        AugmentRandom r = new AugmentRandom(3);
        assertSame(x, new HorizontalFlip(0).apply(x, r));
        assertArrayEquals(HorizontalFlip.flip(x).toFloatArray(), new HorizontalFlip(1).apply(x, r).toFloatArray());
        assertArrayEquals(VerticalFlip.flip(x).toFloatArray(), new VerticalFlip(1).apply(x, r).toFloatArray());
        int flipped = 0;
        for (int i = 0; i < 1000; i++) {
            if (new HorizontalFlip().apply(x, new AugmentRandom(i)) != x) {
                flipped++;
            }
        }
        assertTrue(flipped > 440 && flipped < 560, flipped + " of 1000 flipped at p = 0.5");
    }

    /** out[i][j] = in[j][W-1-i]: numpy's rot90, a transpose followed by a vertical flip. */
    private static float[] transposeThenVerticalFlip(float[] x, int c, int n) {
        float[] out = new float[x.length];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    out[(ch * n + i) * n + j] = x[(ch * n + j) * n + (n - 1 - i)];
                }
            }
        }
        return out;
    }

    @Test
    void quarterTurnIsATransposeAndAFlip() {
        Tensor x = image(4, 2, 6, 6);
        for (Interpolation mode : Interpolation.values()) {
            Tensor r = RandomRotation.rotate(x, 90, mode, 0);
            assertArrayEquals(transposeThenVerticalFlip(x.toFloatArray(), 2, 6), r.toFloatArray(), mode.name());
            Tensor half = RandomRotation.rotate(x, 180, mode, 0);
            assertArrayEquals(HorizontalFlip.flip(VerticalFlip.flip(x)).toFloatArray(), half.toFloatArray());
            assertArrayEquals(x.toFloatArray(), RandomRotation.rotate(x, -360, mode, 0).toFloatArray());
            assertArrayEquals(RandomRotation.rotate(x, 270, mode, 0).toFloatArray(),
                    RandomRotation.rotate(x, -90, mode, 0).toFloatArray());
        }
    }

    @Test
    void rotationFillsTheUncoveredCornersWithFill() {
        Tensor ones = Tensor.ones(1, 9, 9);
        float[] r = RandomRotation.rotate(ones, 45, Interpolation.NEAREST, -2).toFloatArray();
        assertEquals(-2f, r[0], "corner leaves the rotated image");
        assertEquals(1f, r[4 * 9 + 4], "centre stays");
    }

    @Test
    void randomRotationStaysWithinTheRange() {
        // An image that is one bright pixel right of the centre: its rotated position gives the angle.
        float[] v = new float[41 * 41];
        v[20 * 41 + 40] = 1;
        Tensor x = Tensor.fromArray(v, 41, 41);
        RandomRotation rot = new RandomRotation(10, Interpolation.NEAREST, 0);
        for (int s = 0; s < 50; s++) {
            float[] r = rot.apply(x, new AugmentRandom(s)).toFloatArray();
            int at = -1;
            for (int k = 0; k < r.length; k++) {
                if (r[k] == 1) {
                    at = k;
                }
            }
            if (at >= 0) {
                double angle = Math.toDegrees(Math.atan2(-(at / 41 - 20), at % 41 - 20));
                assertTrue(Math.abs(angle) <= 10 + 1.5, "angle " + angle);
            }
        }
    }

    @Test
    void cropWithoutPaddingAtFullSizeIsTheIdentity() {
        Tensor x = image(5, 3, 7, 9);
        AugmentRandom r = new AugmentRandom(6);
        assertArrayEquals(x.toFloatArray(), new RandomCrop(7, 9, 0).apply(x, r).toFloatArray());
        Tensor padded = RandomCrop.crop(x, 2, 0, 0, 0, 11, 13);
        assertArrayEquals(new int[] {3, 11, 13}, padded.shape());
        assertArrayEquals(x.toFloatArray(), RandomCrop.crop(padded, 0, 0, 2, 2, 7, 9).toFloatArray());
    }

    @Test
    void paddedCropIsAShiftWithZerosComingIn() {
        Tensor x = image(7, 1, 8, 8);
        RandomCrop crop = new RandomCrop(8, 8, 3);
        boolean moved = false;
        for (int s = 0; s < 40; s++) {
            float[] out = crop.apply(x, new AugmentRandom(s)).toFloatArray();
            // Find the shift (dy, dx) in [-3, 3]^2 that explains the output exactly.
            int found = 0;
            for (int dy = -3; dy <= 3; dy++) {
                for (int dx = -3; dx <= 3; dx++) {
                    float[] expect = RandomCrop.crop(x, 3, 0, 3 + dy, 3 + dx, 8, 8).toFloatArray();
                    if (Arrays.equals(expect, out)) {
                        found++;
                        moved |= dy != 0 || dx != 0;
                    }
                }
            }
            assertEquals(1, found, "sample " + s);
        }
        assertTrue(moved);
    }

    @Test
    void cropRefusesWindowsThatDoNotFit() {
        Tensor x = image(8, 1, 4, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(7, 4, 1).apply(x, new AugmentRandom(1)));
        assertTrue(e.getMessage().contains("7 x 4 crop does not fit the 6 x 6 image"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(0, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(4, 4, -1));
    }

    @Test
    void blurKeepsAConstantImageAndMatchesAHandComputedKernel() {
        Tensor c = Tensor.full(0.37, 2, 6, 5);
        float[] blurred = GaussianBlur.blur(c, 5, 1.7).toFloatArray();
        for (float v : blurred) {
            assertEquals(0.37f, v, 1e-6f);
        }
        // 3x3, sigma 1: g = [e^-0.5, 1, e^-0.5] / (1 + 2 e^-0.5); an impulse in the middle of a 5x5
        // image spreads to the outer product g g^T around it.
        double a = Math.exp(-0.5);
        double[] g = {a / (1 + 2 * a), 1 / (1 + 2 * a), a / (1 + 2 * a)};
        assertArrayEquals(g, GaussianBlur.kernel(3, 1), 1e-15);
        float[] v = new float[25];
        v[12] = 1;
        float[] out = GaussianBlur.blur(Tensor.fromArray(v, 5, 5), 3, 1).toFloatArray();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                double expect = Math.abs(i - 2) <= 1 && Math.abs(j - 2) <= 1 ? g[i - 1] * g[j - 1] : 0;
                assertEquals(expect, out[i * 5 + j], 1e-7, "(" + i + ", " + j + ")");
            }
        }
        // At a border the missing neighbour is the reflection: pixel (0, 0) of an impulse at (1, 1).
        float[] w = new float[25];
        w[6] = 1;
        float[] corner = GaussianBlur.blur(Tensor.fromArray(w, 5, 5), 3, 1).toFloatArray();
        assertEquals(4 * g[0] * g[0], corner[0], 1e-7, "reflect: (-1, -1) mirrors to (1, 1)");
    }

    @Test
    void erasingTouchesOnlyOneRectangleOfTheRequestedArea() {
        Tensor x = Tensor.full(0.5, 2, 20, 30);
        RandomErasing erasing = new RandomErasing(1, 0.1, 0.2, 0.5, 2, -1);
        for (int s = 0; s < 100; s++) {
            float[] out = erasing.apply(x, new AugmentRandom(s)).toFloatArray();
            int top = 20;
            int bottom = -1;
            int left = 30;
            int right = -1;
            int count = 0;
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 30; j++) {
                    float a = out[i * 30 + j];
                    assertEquals(a, out[600 + i * 30 + j], "both channels erased alike");
                    if (a == -1f) {
                        count++;
                        top = Math.min(top, i);
                        bottom = Math.max(bottom, i);
                        left = Math.min(left, j);
                        right = Math.max(right, j);
                    } else {
                        assertEquals(0.5f, a);
                    }
                }
            }
            int h = bottom - top + 1;
            int w = right - left + 1;
            assertEquals(h * w, count, "the erased pixels form a full rectangle");
            // h = round(sqrt(A r)), w = round(sqrt(A / r)) with A in [60, 120] (0.1 to 0.2 of 600) and
            // r in [0.5, 2]: h w = A +- 0.5 (sqrt(A r) + sqrt(A / r)) + 0.25, so within [52, 132].
            assertTrue(count >= 52 && count <= 132, "area " + count + " (" + h + " x " + w + ")");
            double ratio = (double) h / w;
            assertTrue(ratio > 0.5 * 0.7 && ratio < 2 / 0.7, "aspect " + ratio);
        }
        assertSame(x, new RandomErasing(0, 0.1, 0.2, 0.5, 2, 0).apply(x, new AugmentRandom(1)));
    }

    @Test
    void cutoutErasesAnExactSquare() {
        Tensor x = Tensor.ones(1, 10, 10);
        float[] out = RandomErasing.cutout(4, 10).apply(x, new AugmentRandom(9)).toFloatArray();
        int zeros = 0;
        for (float v : out) {
            zeros += v == 0 ? 1 : 0;
        }
        assertEquals(16, zeros);
    }

    @Test
    void colorJitterFactorsStayInRange() {
        Tensor x = Tensor.full(0.4, 1, 3, 3);
        ColorJitter brightness = new ColorJitter(0.3, 0);
        for (int s = 0; s < 50; s++) {
            float v = brightness.apply(x, new AugmentRandom(s)).toFloatArray()[0];
            assertTrue(v >= 0.4f * 0.7f - 1e-6 && v <= 0.4f * 1.3f + 1e-6, "brightness " + v);
        }
        // contrast of a constant image does nothing: its mean is itself
        assertArrayEquals(x.toFloatArray(), new ColorJitter(0, 0.8).apply(x, new AugmentRandom(1)).toFloatArray(), 1e-7f);
        // clamped to [0, 1] by default, to the given range otherwise
        Tensor bright = Tensor.full(0.9, 1, 2, 2);
        assertEquals(1f, ColorJitter.adjustBrightness(bright, 1.5, 0, 1).toFloatArray()[0]);
        assertEquals(1.35f, ColorJitter.adjustBrightness(bright, 1.5, -3, 3).toFloatArray()[0], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new ColorJitter(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0.1, 0).withRange(1, 0));
    }

    @Test
    void transformsKeepTheDtypeAndRefuseNonImages() {
        Tensor d = image(10, 1, 4, 4).to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, HorizontalFlip.flip(d).dtype());
        assertEquals(DType.FLOAT64, new RandomCrop(4, 4, 1).apply(d, new AugmentRandom(1)).dtype());
        var e = assertThrows(IllegalArgumentException.class, () -> HorizontalFlip.flip(Tensor.zeros(4)));
        assertEquals("HorizontalFlip: image must be a floating tensor [C, H, W] or [H, W], got FLOAT32 of shape [4]",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GaussianBlur.blur(image(1, 3, 3), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(1.5));
    }

    @Test
    void withProbabilityAndComposeDrawFromTheOneStream() {
        Tensor x = image(11, 1, 5, 5);
        Transform t = Transform.compose(new HorizontalFlip(1), new VerticalFlip(1));
        assertArrayEquals(RandomRotation.rotate(x, 180, Interpolation.NEAREST, 0).toFloatArray(),
                t.apply(x, new AugmentRandom(0)).toFloatArray());
        Transform never = new HorizontalFlip(1).withProbability(0);
        assertSame(x, never.apply(x, new AugmentRandom(0)));
        Tensor a = new RandomCrop(5, 5, 2).withProbability(0.5).apply(x, new AugmentRandom(42));
        Tensor b = new RandomCrop(5, 5, 2).withProbability(0.5).apply(x, new AugmentRandom(42));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals("RandomCrop(5x5, padding=2, fill=0.0) with probability 0.5",
                new RandomCrop(5, 5, 2).withProbability(0.5).toString());
        assertEquals("compose[HorizontalFlip(p=1.0), VerticalFlip(p=1.0)]", t.toString());
    }
}
