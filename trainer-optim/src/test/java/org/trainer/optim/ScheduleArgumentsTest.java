package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.trainer.core.train.LearningRateSchedule;

/** The schedules' argument checks, their units (perIteration) and their behaviour past the end. */
class ScheduleArgumentsTest {

    static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void argumentsAreValidatedWithTheirNamesAndValues() {
        assertMessage("StepSchedule: stepSize must be >= 1, got 0", () -> new StepSchedule(0, 0.1));
        assertMessage("StepSchedule: gamma must be a finite value > 0, got -0.5", () -> new StepSchedule(3, -0.5));
        assertMessage("MultiStepSchedule: milestones[1] must be >= 0, got -4",
                () -> new MultiStepSchedule(new long[] {3, -4}, 0.1));
        assertMessage("MultiStepSchedule: milestones must hold at least one step, got []",
                () -> new MultiStepSchedule(new long[0], 0.1));
        assertMessage("ExponentialSchedule: gamma must be a finite value > 0, got NaN",
                () -> new ExponentialSchedule(Double.NaN));
        assertMessage("ExponentialSchedule: lambda must be a finite value >= 0, got -0.1",
                () -> ExponentialSchedule.ofRate(-0.1));
        assertMessage("CosineSchedule: tMax must be >= 1, got 0", () -> new CosineSchedule(0));
        assertMessage("CosineSchedule: etaMin must be a finite value >= 0, got -1.0", () -> new CosineSchedule(10, -1));
        assertMessage("CosineWarmRestartsSchedule: t0 must be >= 1, got 0",
                () -> new CosineWarmRestartsSchedule(0, 1, 0));
        assertMessage("CosineWarmRestartsSchedule: tMult must be >= 1, got 0",
                () -> new CosineWarmRestartsSchedule(5, 0, 0));
        assertMessage("PolynomialSchedule: totalIters must be >= 1, got -3", () -> new PolynomialSchedule(-3, 1));
        assertMessage("PolynomialSchedule: power must be a finite value >= 0, got Infinity",
                () -> new PolynomialSchedule(10, Double.POSITIVE_INFINITY));
        assertMessage("LinearWarmupSchedule: startFactor must be in [0, 1], got 1.5",
                () -> new LinearWarmupSchedule(1.5, 10, new ConstantSchedule()));
        assertMessage("LinearWarmupSchedule: warmupSteps must be >= 1, got 0",
                () -> new LinearWarmupSchedule(0.1, 0, new ConstantSchedule()));
        assertEquals("LinearWarmupSchedule: after must not be null",
                assertThrows(NullPointerException.class, () -> new LinearWarmupSchedule(0.1, 5, null)).getMessage());
        assertMessage("OneCycleSchedule: totalSteps must be >= 1, got 0", () -> new OneCycleSchedule(0));
        assertMessage("OneCycleSchedule: pctStart must be in [0, 1], got 1.2",
                () -> new OneCycleSchedule(100, 1.2, 25, 1e4));
        assertMessage("OneCycleSchedule: divFactor must be a finite value > 0, got 0.0",
                () -> new OneCycleSchedule(100, 0.3, 0, 1e4));
        assertMessage("OneCycleSchedule: finalDivFactor must be a finite value > 0, got -1.0",
                () -> new OneCycleSchedule(100, 0.3, 25, -1));
        assertMessage("OneCycleSchedule: maxLr must be a finite value > 0, got 0.0",
                () -> new OneCycleSchedule(100).withMaxLr(0));
        assertMessage("CosineSchedule: step t must be >= 0, got -1", () -> new CosineSchedule(10).learningRate(0.1, -1));
        assertMessage("LinearWarmupSchedule: step t must be >= 0, got -2",
                () -> new LinearWarmupSchedule(0.1, 3, new ConstantSchedule()).learningRate(0.1, -2));
    }

    @Test
    void unitsArePerEpochExceptOneCycleAndWarmUpFollowsItsInnerSchedule() {
        List<LearningRateSchedule> perEpoch = List.of(new ConstantSchedule(), new StepSchedule(3, 0.1),
                new MultiStepSchedule(new long[] {3}, 0.1), new ExponentialSchedule(0.9), new CosineSchedule(10),
                new CosineWarmRestartsSchedule(5, 2, 0), new PolynomialSchedule(10, 1));
        perEpoch.forEach(s -> assertFalse(s.perIteration(), s.toString()));
        assertTrue(new OneCycleSchedule(100).perIteration());
        assertFalse(new OneCycleSchedule(100).perIteration(false).perIteration());
        assertTrue(new StepSchedule(3, 0.1).perIteration(true).perIteration());
        assertTrue(new MultiStepSchedule(new long[] {3}, 0.1).perIteration(true).perIteration());
        assertTrue(new ExponentialSchedule(0.9).perIteration(true).perIteration());
        assertTrue(new CosineSchedule(10).perIteration(true).perIteration());
        assertTrue(new CosineWarmRestartsSchedule(5, 2, 0).perIteration(true).perIteration());
        assertTrue(new PolynomialSchedule(10, 1).perIteration(true).perIteration());
        assertTrue(new LinearWarmupSchedule(0.1, 5, new CosineSchedule(10).perIteration(true)).perIteration());
        assertFalse(new LinearWarmupSchedule(0.1, 5, new CosineSchedule(10)).perIteration());
    }

    @Test
    void behaviourPastTheEnd() {
        // Cosine goes on along the curve: back to base at 2 tMax, as torch's CosineAnnealingLR.
        CosineSchedule cos = new CosineSchedule(10, 0.01);
        assertEquals(0.01, cos.learningRate(1, 10), 1e-15);
        assertEquals(1.0, cos.learningRate(1, 20), 1e-15);
        assertEquals(cos.learningRate(1, 5), cos.learningRate(1, 15), 1e-15);
        // One-cycle holds its final rate, where torch raises.
        OneCycleSchedule oneCycle = new OneCycleSchedule(100, 0.3, 25, 1e4);
        double last = 1.0 / 25 / 1e4;
        assertEquals(last, oneCycle.learningRate(1, 99), 1e-18);
        assertEquals(last, oneCycle.learningRate(1, 100), 1e-18);
        assertEquals(last, oneCycle.learningRate(1, 1_000_000), 1e-18);
        assertEquals(1.0, oneCycle.learningRate(1, 29), 1e-15);
        // Polynomial stays at 0; restarts keep restarting, exactly on their steps even for huge t.
        assertEquals(0, new PolynomialSchedule(10, 2).learningRate(1, 50));
        CosineWarmRestartsSchedule sgdr = new CosineWarmRestartsSchedule(1, 2, 0);
        assertEquals(1.0, sgdr.learningRate(1, (1L << 40) - 1));
        double far = sgdr.learningRate(1, Long.MAX_VALUE);
        assertTrue(far >= 0 && far <= 1, "t = Long.MAX_VALUE: " + far);
        assertEquals(0.1, new ConstantSchedule().learningRate(0.1, 1_000_000));
    }

    @Test
    void warmUpRisesLinearlyThenHandsOverAtW() {
        LinearWarmupSchedule s = new LinearWarmupSchedule(0.2, 4, new ExponentialSchedule(0.5));
        double[] expected = {0.2, 0.4, 0.6, 0.8, 1.0, 0.5, 0.25};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], s.learningRate(1, t), 1e-15, "t=" + t);
        }
    }

    @Test
    void multiStepSortsMilestonesAndCountsRepeatsTwice() {
        MultiStepSchedule s = new MultiStepSchedule(new long[] {20, 5, 5}, 0.5);
        assertArrayEquals(new long[] {5, 5, 20}, s.milestones());
        assertEquals(1.0, s.learningRate(1, 4));
        assertEquals(0.25, s.learningRate(1, 5));
        assertEquals(0.125, s.learningRate(1, 20));
    }

    @Test
    void oneCycleEdgeCasesStayFinite() {
        for (long n : new long[] {1, 2, 3, 10}) {
            for (double pct : new double[] {0, 0.1, 0.5, 1.0 / n, 1}) {
                OneCycleSchedule s = new OneCycleSchedule(n, pct, 25, 1e4);
                for (long t = 0; t <= n; t++) {
                    double lr = s.learningRate(1, t);
                    assertTrue(lr > 0 && lr <= 1, "n=" + n + " pct=" + pct + " t=" + t + ": " + lr);
                }
            }
        }
    }
}
