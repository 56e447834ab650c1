package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class TrustRegionTest {
    /** Losses after an initial design of {@code initial} (all 10), from a pattern: 's' improves, 'f' does not. */
    private static double[] history(int initial, String pattern) {
        double[] out = new double[initial + pattern.length()];
        Arrays.fill(out, 0, initial, 10);
        double best = 10;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == 's') {
                best -= 1;
                out[initial + i] = best;
            } else {
                out[initial + i] = best + 5;
            }
        }
        return out;
    }

    @Test
    void theInitialDesignLeavesTheInitialSide() {
        TrustRegion tr = TrustRegion.replay(history(5, ""), 5, 4);
        assertEquals(TrustRegion.INITIAL_LENGTH, tr.length());
        assertFalse(tr.collapsed());
        assertEquals(0, tr.restarts());
    }

    @Test
    void threeSuccessesInARowDoubleTheSideUpToTheMaximum() {
        assertEquals(0.8, TrustRegion.replay(history(5, "ss"), 5, 4).length());
        assertEquals(1.6, TrustRegion.replay(history(5, "sss"), 5, 4).length());
        assertEquals(1.6, TrustRegion.replay(history(5, "ssssss"), 5, 4).length());
        // A failure in between resets the count.
        assertEquals(0.8, TrustRegion.replay(history(5, "ssfss"), 5, 4).length());
    }

    @Test
    void failuresInARowHalveTheSide() {
        assertEquals(0.8, TrustRegion.replay(history(5, "fff"), 5, 4).length());
        assertEquals(0.4, TrustRegion.replay(history(5, "ffff"), 5, 4).length());
        assertEquals(0.2, TrustRegion.replay(history(5, "ffffffff"), 5, 4).length());
        assertEquals(0.8, TrustRegion.replay(history(5, "fffsfff"), 5, 4).length());
        assertEquals(0.4, TrustRegion.replay(history(3, "ffffff"), 3, 6).length());
    }

    @Test
    void shrunkMarksExactlyTheLossesThatHalvedTheSide() {
        String pattern = "ffffsfffffffffsssf";
        for (int t = 0; t <= pattern.length(); t++) {
            boolean expected = t == 4 || t == 9 || t == 13;
            assertEquals(expected, TrustRegion.replay(history(5, pattern.substring(0, t)), 5, 4).shrunk(), "after " + t);
        }
        assertTrue(TrustRegion.replay(history(5, "f".repeat(28)), 5, 4).shrunk());
    }

    @Test
    void anImprovementOfLessThanAThousandthIsAFailure() {
        double[] losses = {10, 10, 9.995, 9.99, 9.985, 9.98};
        assertEquals(0.4, TrustRegion.replay(losses, 2, 4).length());
        // Relative to |best| for negative losses too: a failure (by 0.005 < 0.01), then three successes.
        double[] negative = {-10, -10, -10.005, -10.02, -10.04, -10.06};
        assertEquals(1.6, TrustRegion.replay(negative, 2, 4).length());
    }

    @Test
    void aCollapsedRegionRestartsAtTheInitialSideAndTheNextProposalIsGlobal() {
        // 0.8 / 2^7 = 0.00625 < 0.5^7: the 28th failure in a row collapses the region.
        TrustRegion before = TrustRegion.replay(history(5, "f".repeat(27)), 5, 4);
        assertEquals(0.8 / 64, before.length(), 1e-15);
        assertFalse(before.collapsed());
        TrustRegion at = TrustRegion.replay(history(5, "f".repeat(28)), 5, 4);
        assertTrue(at.collapsed());
        assertEquals(TrustRegion.INITIAL_LENGTH, at.length());
        assertEquals(1, at.restarts());
        TrustRegion after = TrustRegion.replay(history(5, "f".repeat(29)), 5, 4);
        assertFalse(after.collapsed());
        assertEquals(1, after.restarts());
        assertEquals(2, TrustRegion.replay(history(5, "f".repeat(56)), 5, 4).restarts());
    }

    @Test
    void theBoxIsScaledByTheLengthScalesAndClippedToTheCube() {
        TrustRegion tr = new TrustRegion(0.4, false, false, 0);
        double[] lo = new double[3];
        double[] hi = new double[3];
        // Length scales 2 and 0.5 have geometric mean 1: sides 0.8 and 0.2. Column 2 is not numeric.
        tr.box(new double[] {0.5, 0.95, 1}, new double[] {2, 0.5, 7}, new int[] {0, 1}, lo, hi);
        assertArrayEquals(new double[] {0.1, 0.85, 0}, lo, 1e-12);
        assertArrayEquals(new double[] {0.9, 1, 1}, hi, 1e-12);
    }

    @Test
    void theFailureToleranceIsMaxOfFourAndTheDimension() {
        assertEquals(4, TrustRegion.failureTolerance(2));
        assertEquals(6, TrustRegion.failureTolerance(6));
    }

    @Test
    void badArgumentsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustRegion.replay(new double[3], -1, 4));
        assertTrue(e.getMessage().contains("initial") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrustRegion.replay(new double[3], 0, 0));
        assertTrue(e.getMessage().contains("failureTolerance") && e.getMessage().contains("0"), e.getMessage());
    }
}
