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

    @Test
    void medianRuleCountsOnlyCompleteTrials() {
        // Two COMPLETE trials at 0.5 and 0.6 at step 1 (median 0.55), and three PRUNED bad ones at 0.1:
        // counting the pruned ones would drop the median to 0.1 and keep a trial at 0.3.
        List<FrozenTrial> h = List.of(
                Trials.complete(0, 1, Map.of(), 0.5, 0.6),
                Trials.complete(1, 1, Map.of(), 0.6, 0.7),
                Trials.of(2, TrialState.PRUNED, 0.1),
                Trials.of(3, TrialState.PRUNED, 0.1),
                Trials.of(4, TrialState.PRUNED, 0.1));
        MedianPruner p = new MedianPruner(2, 0, 1);
        assertTrue(p.prune(h, running(5, 0.3), Direction.MAXIMIZE));
        assertFalse(p.prune(h, running(5, 0.56), Direction.MAXIMIZE));
        // a pruned trial is not one to compare with: with only PRUNED reports at the step, no decision
        assertFalse(new MedianPruner(0, 0, 1).prune(h.subList(2, 5), running(5, 0.0), Direction.MAXIMIZE));
    }

    /** A trial with values at the given steps: step, value, step, value, ... */
    private static FrozenTrial at(int number, TrialState state, double... stepValue) {
        java.util.TreeMap<Integer, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < stepValue.length; i += 2) {
            m.put((int) stepValue[i], stepValue[i + 1]);
        }
        return new FrozenTrial(number, state, Map.of(), state == TrialState.COMPLETE ? 1.0 : null, m, null);
    }

    @Test
    void successiveHalvingJudgesTrialsThatSkipTheRungSteps() {
        // rungs 1, 3, 9; every trial reports at even steps only
        SuccessiveHalvingPruner p = new SuccessiveHalvingPruner(1, 27, 3, 0);
        List<FrozenTrial> h = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double v = 0.5 + 0.1 * i;
            h.add(at(i, TrialState.COMPLETE, 2, v, 4, v, 6, v, 8, v, 10, v, 12, v));
        }
        // step 2 is the first report past rung 1: judged there against the others' step-2 values
        assertTrue(p.prune(h, at(5, TrialState.RUNNING, 2, 0.1), Direction.MAXIMIZE));
        assertFalse(p.prune(h, at(5, TrialState.RUNNING, 2, 0.95), Direction.MAXIMIZE));
        // step 4 reaches rung 3 (judged), step 6 passes no new rung (no decision), step 10 reaches rung 9
        assertTrue(p.prune(h, at(5, TrialState.RUNNING, 2, 0.95, 4, 0.1), Direction.MAXIMIZE));
        assertFalse(p.prune(h, at(5, TrialState.RUNNING, 2, 0.95, 4, 0.95, 6, 0.1), Direction.MAXIMIZE));
        assertTrue(p.prune(h, at(5, TrialState.RUNNING, 2, 0.95, 4, 0.95, 6, 0.95, 8, 0.95, 10, 0.1), Direction.MAXIMIZE));
        // a trial whose only report passes rungs 1 and 3 is judged once, at rung 3, with the others' step-4 values
        List<FrozenTrial> crossing = List.of(at(0, TrialState.COMPLETE, 2, 0.9, 4, 0.1), at(1, TrialState.COMPLETE, 2, 0.9, 4, 0.2),
                at(2, TrialState.COMPLETE, 2, 0.9, 4, 0.3));
        assertFalse(p.prune(crossing, at(3, TrialState.RUNNING, 5, 0.35), Direction.MAXIMIZE));
        assertTrue(p.prune(crossing, at(3, TrialState.RUNNING, 5, 0.25), Direction.MAXIMIZE));
    }

    @Test
    void hyperbandBracketsAreSharedByThePrunerAndTheScheduler() {
        assertEquals(4, Brackets.count(1, 27, 3));
        assertEquals(3, Brackets.count(1, 26, 3));
        assertEquals(3, Brackets.count(1, 10, 3));
        assertEquals(List.of(27, 12, 6, 4), List.of(Brackets.configs(4, 3, 3), Brackets.configs(4, 2, 3),
                Brackets.configs(4, 1, 3), Brackets.configs(4, 0, 3)));
        for (int[] c : new int[][] {{1, 27, 3}, {1, 10, 3}, {2, 81, 3}, {1, 16, 2}, {3, 100, 4}}) {
            HyperbandPruner pruner = new HyperbandPruner(c[0], c[1], c[2], 0);
            List<HyperbandScheduler.Bracket> sched = new HyperbandScheduler(c[0], c[1], c[2]).brackets();
            assertEquals(sched.size(), pruner.bracketCount());
            for (int b = 0; b < pruner.bracketCount(); b++) {
                assertEquals(pruner.bracketCount() - 1 - b, sched.get(b).s());
                assertEquals(pruner.bracket(b).rungs().isEmpty() ? List.of() : List.of(c[0] * (int) Math.pow(c[2], b)),
                        pruner.bracket(b).rungs().subList(0, Math.min(1, pruner.bracket(b).rungs().size())));
            }
        }
        // max = min * eta^(n-1): the last bracket has no rung and runs to the maximum ...
        assertEquals(List.of(), new HyperbandPruner(1, 27, 3, 0).bracket(3).rungs());
        // ... otherwise it has its one rung at min * eta^(n-1), below the maximum
        assertEquals(List.of(9), new HyperbandPruner(1, 10, 3, 0).bracket(2).rungs());
    }
}
