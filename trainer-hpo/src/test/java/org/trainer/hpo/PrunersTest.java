package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Known answers of the median rule, successive halving and Hyperband's brackets. */
class PrunersTest {

    private static FrozenTrial running(int number, double... values) {
        return new FrozenTrial(number, TrialState.RUNNING, Map.of(), null, Trials.steps(values), null);
    }

    @Test
    void medianRuleComparesTheBestSoFarWithTheMedianAtThisStep() {
        List<FrozenTrial> h = List.of(
                Trials.complete(0, 1, Map.of(), 0.5, 0.6, 0.7),
                Trials.complete(1, 1, Map.of(), 0.3, 0.4, 0.5),
                Trials.complete(2, 1, Map.of(), 0.1, 0.2, 0.3));
        MedianPruner p = new MedianPruner(3, 0, 1);
        // maximizing: median at step 2 is 0.4
        assertTrue(p.prune(h, running(3, 0.2, 0.35), Direction.MAXIMIZE));
        assertFalse(p.prune(h, running(3, 0.45, 0.35), Direction.MAXIMIZE)); // its best so far (0.45) beats 0.4
        assertFalse(p.prune(h, running(3, 0.2, 0.35), Direction.MINIMIZE));
        // fewer finished trials than startupTrials: never
        assertFalse(new MedianPruner(4, 0, 1).prune(h, running(3, 0.0, 0.0), Direction.MAXIMIZE));
        // before the warm-up steps: never
        assertFalse(new MedianPruner(0, 3, 1).prune(h, running(3, 0.0, 0.0), Direction.MAXIMIZE));
        assertEquals(0.4, MedianPruner.median(List.of(0.6, 0.4, 0.2)));
        assertEquals(0.5, MedianPruner.median(List.of(0.6, 0.4)));
    }

    @Test
    void successiveHalvingPromotesTheTopThirdAtEachRung() {
        SuccessiveHalvingPruner p = new SuccessiveHalvingPruner(1, 27, 3, 0);
        assertEquals(List.of(1, 3, 9), p.rungs());
        assertEquals(List.of(3, 9), new SuccessiveHalvingPruner(1, 27, 3, 1).rungs());
        List<FrozenTrial> h = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            h.add(Trials.complete(i, 1, Map.of(), 0.1 * (i + 1))); // step-1 values 0.1 .. 0.5
        }
        // 6 values at step 1 with itself: the best 6 / 3 = 2 go on.
        assertFalse(p.prune(h, running(5, 0.45), Direction.MAXIMIZE)); // 2nd best
        assertTrue(p.prune(h, running(5, 0.35), Direction.MAXIMIZE));  // 3rd best
        assertFalse(p.prune(h, running(5, 0.05), Direction.MINIMIZE));
        // not a rung: no decision
        assertFalse(p.prune(h, running(5, 0.35, 0.0), Direction.MAXIMIZE));
        // fewer than eta values at the rung: only the best goes on
        assertTrue(p.prune(h.subList(0, 1), running(5, 0.05), Direction.MAXIMIZE));
        assertFalse(p.prune(h.subList(0, 1), running(5, 0.15), Direction.MAXIMIZE));
    }

    @Test
    void hyperbandHasLogEtaBracketsSharedInProportionToTheirBudgets() {
        HyperbandPruner p = new HyperbandPruner(1, 27, 3, 0);
        assertEquals(4, p.bracketCount());
        assertEquals(List.of(1, 3, 9), p.bracket(0).rungs());
        assertEquals(List.of(), p.bracket(3).rungs());
        int[] counts = new int[4];
        int n = 49_000;
        for (int i = 0; i < n; i++) {
            counts[p.bracketOf(i)]++;
        }
        int[] budgets = {27, 12, 6, 4}; // ceil(4 * 3^s / (s + 1)), s = 3, 2, 1, 0
        for (int b = 0; b < 4; b++) {
            assertEquals(n * budgets[b] / 49.0, counts[b], 0.05 * n * budgets[b] / 49.0, "bracket " + b);
        }
        assertEquals(-1, p.bracketOf(-3));
    }

    @Test
    void hyperbandComparesOnlyWithinABracket() {
        HyperbandPruner p = new HyperbandPruner(1, 27, 3, 0);
        int me = 0;
        while (p.bracketOf(me) != 0) {
            me++;
        }
        List<FrozenTrial> strangers = new ArrayList<>();
        List<FrozenTrial> peers = new ArrayList<>();
        for (int i = 0; i < 200 && (strangers.size() < 5 || peers.size() < 5); i++) {
            if (i == me) {
                continue;
            }
            FrozenTrial t = Trials.complete(i, 1, Map.of(), 0.9);
            (p.bracketOf(i) == 0 ? peers : strangers).add(t);
        }
        FrozenTrial bad = running(me, 0.1);
        assertFalse(p.prune(strangers.subList(0, 5), bad, Direction.MAXIMIZE)); // alone in its bracket: best there
        assertTrue(p.prune(peers.subList(0, 5), bad, Direction.MAXIMIZE));
    }

    @Test
    void validationMessages() {
        assertEquals("HyperbandPruner: maxResource must be > minResource (3), got 3",
                assertThrows(IllegalArgumentException.class, () -> new HyperbandPruner(3, 3, 3, 0)).getMessage());
        assertEquals("SuccessiveHalvingPruner: eta must be >= 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalvingPruner(1, 9, 1, 0)).getMessage());
        assertEquals("MedianPruner: minTrials must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new MedianPruner(0, 0, 0)).getMessage());
    }
}
