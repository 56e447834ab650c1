package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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
        assertMessage("OneCycleSchedule: totalSteps must be >= 1, got 0", () -> new OneCycleSchedule(0.1, 0));
        assertMessage("OneCycleSchedule: pctStart must be in [0, 1], got 1.2",
                () -> new OneCycleSchedule(0.1, 100, 1.2, 25, 1e4));
        assertMessage("OneCycleSchedule: divFactor must be a finite value > 0, got 0.0",
                () -> new OneCycleSchedule(0.1, 100, 0.3, 0, 1e4));
        assertMessage("OneCycleSchedule: finalDivFactor must be a finite value > 0, got -1.0",
                () -> new OneCycleSchedule(0.1, 100, 0.3, 25, -1));
        assertMessage("OneCycleSchedule: maxLr must be a finite value > 0, got 0.0", () -> new OneCycleSchedule(0, 100));
        assertMessage("OneCycleSchedule: maxLr must be a finite value > 0, got Infinity",
                () -> new OneCycleSchedule(Double.POSITIVE_INFINITY, 100));
        assertEquals("OneCycleSchedule: anneal must not be null", assertThrows(NullPointerException.class,
                () -> new OneCycleSchedule(0.1, 100).anneal(null)).getMessage());
        assertMessage("LinearSchedule: startFactor must be in [0, 1], got -0.1",
                () -> new LinearSchedule(-0.1, 1, 10));
        assertMessage("LinearSchedule: endFactor must be in [0, 1], got 1.5", () -> new LinearSchedule(0.1, 1.5, 10));
        assertMessage("LinearSchedule: totalIters must be >= 1, got 0", () -> new LinearSchedule(0.1, 1, 0));
        assertMessage("ConstantFactorSchedule: factor must be in [0, 1], got NaN",
                () -> new ConstantFactorSchedule(Double.NaN, 5));
        assertMessage("ConstantFactorSchedule: totalIters must be >= 1, got 0", () -> new ConstantFactorSchedule(0.5, 0));
        assertEquals("LambdaSchedule: factor must not be null",
                assertThrows(NullPointerException.class, () -> new LambdaSchedule(null)).getMessage());
        assertMessage("LambdaSchedule: factor(3) must be finite, got Infinity",
                () -> new LambdaSchedule(t -> 1.0 / (3 - t)).learningRate(0.1, 3));
        assertEquals("MultiplicativeSchedule: factor must not be null",
                assertThrows(NullPointerException.class, () -> new MultiplicativeSchedule(null)).getMessage());
        assertMessage("MultiplicativeSchedule: factor(4) must be a finite value >= 0, got -1.0",
                () -> new MultiplicativeSchedule(t -> t < 4 ? 0.5 : -1).learningRate(0.1, 6));
        assertMessage("MultiplicativeSchedule: factor(2) must be a finite value >= 0, got NaN",
                () -> new MultiplicativeSchedule(t -> t == 2 ? Double.NaN : 1).learningRate(0.1, 2));
        assertMessage("MultiplicativeSchedule: step t must be >= 0, got -1",
                () -> new MultiplicativeSchedule(t -> 1).learningRate(0.1, -1));
        assertMessage("CyclicSchedule: baseLr must be a finite value >= 0, got -0.001",
                () -> new CyclicSchedule(-0.001, 0.1, 10));
        assertMessage("CyclicSchedule: maxLr must be a finite value >= baseLr (0.01), got 0.001",
                () -> new CyclicSchedule(0.01, 0.001, 10));
        assertMessage("CyclicSchedule: maxLr must be a finite value >= baseLr (0.01), got NaN",
                () -> new CyclicSchedule(0.01, Double.NaN, 10));
        assertMessage("CyclicSchedule: stepSizeUp must be >= 1, got 0", () -> new CyclicSchedule(0.001, 0.1, 0));
        assertMessage("CyclicSchedule: stepSizeDown must be >= 0, got -1",
                () -> new CyclicSchedule(0.001, 0.1, 5, -1, CyclicSchedule.Mode.TRIANGULAR, 1, true));
        assertMessage("CyclicSchedule: gamma must be a finite value > 0, got 0.0",
                () -> new CyclicSchedule(0.001, 0.1, 10).expRange(0));
        assertEquals("CyclicSchedule: mode must not be null", assertThrows(NullPointerException.class,
                () -> new CyclicSchedule(0.001, 0.1, 10).mode(null)).getMessage());
        assertMessage("SequentialSchedule: schedules must hold at least one schedule, got []",
                () -> new SequentialSchedule(List.of(), new long[0]));
        assertMessage("SequentialSchedule: milestones must hold 1 steps (one fewer than the 2 schedules), got [5, 10]",
                () -> new SequentialSchedule(List.of(new LinearSchedule(), new CosineSchedule(10)), new long[] {5, 10}));
        assertMessage("SequentialSchedule: milestones[0] must be >= 1, got 0",
                () -> new SequentialSchedule(List.of(new LinearSchedule(), new CosineSchedule(10)), new long[] {0}));
        assertMessage("SequentialSchedule: milestones[1] must be >= 11 (greater than milestones[0]), got 10",
                () -> new SequentialSchedule(List.of(new LinearSchedule(), new CosineSchedule(10), new ConstantSchedule()),
                        new long[] {10, 10}));
        assertMessage("SequentialSchedule: schedules[1] must not be null",
                () -> new SequentialSchedule(Arrays.asList(new LinearSchedule(), null), new long[] {5}));
        assertMessage("SequentialSchedule: schedules[1] counts iterations but schedules[0] counts epochs; "
                + "all parts must count the same unit",
                () -> new SequentialSchedule(List.of(new LinearSchedule(), new CosineSchedule(10).perIteration(true)),
                        new long[] {5}));
        assertMessage("ChainedSchedule: schedules must hold at least one schedule, got null",
                () -> new ChainedSchedule(null));
        assertMessage("ChainedSchedule: schedules[0] must not be null",
                () -> new ChainedSchedule(Arrays.asList((LearningRateSchedule) null)));
        assertMessage("ChainedSchedule: schedules[2] counts epochs but schedules[0] counts iterations; "
                + "all parts must count the same unit",
                () -> new ChainedSchedule(List.of(new OneCycleSchedule(0.1, 100), new CyclicSchedule(0.001, 0.1, 10),
                        new ExponentialSchedule(0.9))));
        assertMessage("SequentialSchedule: step t must be >= 0, got -1", () -> new SequentialSchedule(
                List.of(new LinearSchedule(), new CosineSchedule(10)), new long[] {5}).learningRate(0.1, -1));
        assertMessage("ChainedSchedule: step t must be >= 0, got -3",
                () -> new ChainedSchedule(List.of(new LinearSchedule())).learningRate(0.1, -3));
        assertMessage("CosineSchedule: step t must be >= 0, got -1", () -> new CosineSchedule(10).learningRate(0.1, -1));
        assertMessage("LinearWarmupSchedule: step t must be >= 0, got -2",
                () -> new LinearWarmupSchedule(0.1, 3, new ConstantSchedule()).learningRate(0.1, -2));
    }

    @Test
    void unitsArePerEpochExceptOneCycleAndWarmUpFollowsItsInnerSchedule() {
        List<LearningRateSchedule> perEpoch = List.of(new ConstantSchedule(), new StepSchedule(3, 0.1),
                new MultiStepSchedule(new long[] {3}, 0.1), new ExponentialSchedule(0.9), new CosineSchedule(10),
                new CosineWarmRestartsSchedule(5, 2, 0), new PolynomialSchedule(10, 1));
        List<LearningRateSchedule> all = new ArrayList<>(perEpoch);
        all.addAll(List.of(new LinearSchedule(), new ConstantFactorSchedule(), new LambdaSchedule(t -> 1),
                new MultiplicativeSchedule(t -> 1),
                new SequentialSchedule(List.of(new LinearSchedule(), new CosineSchedule(10)), new long[] {5}),
                new ChainedSchedule(List.of(new ExponentialSchedule(0.9), new StepSchedule(3, 0.5))),
                new CyclicSchedule(0.001, 0.1, 10).perIteration(false)));
        all.forEach(s -> assertFalse(s.perIteration(), s.toString()));
        assertTrue(new CyclicSchedule(0.001, 0.1, 10).perIteration());
        assertTrue(new LinearSchedule().perIteration(true).perIteration());
        assertTrue(new ConstantFactorSchedule().perIteration(true).perIteration());
        assertTrue(new LambdaSchedule(t -> 1).perIteration(true).perIteration());
        assertTrue(new MultiplicativeSchedule(t -> 1).perIteration(true).perIteration());
        assertTrue(new SequentialSchedule(List.of(new LinearSchedule().perIteration(true), new OneCycleSchedule(0.1, 50)),
                new long[] {5}).perIteration());
        assertTrue(new ChainedSchedule(List.of(new OneCycleSchedule(0.1, 50), new StepSchedule(3, 0.5).perIteration(true)))
                .perIteration());
        assertTrue(new OneCycleSchedule(0.1, 100).perIteration());
        assertFalse(new OneCycleSchedule(0.1, 100).perIteration(false).perIteration());
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
        OneCycleSchedule oneCycle = new OneCycleSchedule(1, 100, 0.3, 25, 1e4);
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
                for (boolean three : new boolean[] {false, true}) {
                    for (OneCycleSchedule.Anneal a : OneCycleSchedule.Anneal.values()) {
                        OneCycleSchedule s = new OneCycleSchedule(1, n, pct, 25, 1e4).threePhase(three).anneal(a);
                        for (long t = 0; t <= n; t++) {
                            double lr = s.learningRate(1, t);
                            assertTrue(lr > 0 && lr <= 1, s + " t=" + t + ": " + lr);
                        }
                    }
                }
            }
        }
    }

    /** MultiplicativeSchedule's rate at t is the same bits whatever was asked before: in order, backwards or by jumps. */
    @Test
    void multiplicativeRatesDoNotDependOnTheOrderTheyAreAskedIn() {
        MultiplicativeSchedule inOrder = new MultiplicativeSchedule(t -> 1 - 0.3 / (t + 2));
        double[] expected = new double[60];
        for (int t = 0; t < expected.length; t++) {
            expected[t] = inOrder.learningRate(0.1, t);
        }
        MultiplicativeSchedule shuffled = new MultiplicativeSchedule(t -> 1 - 0.3 / (t + 2));
        for (int t : new int[] {59, 3, 3, 40, 0, 17, 58, 59, 1}) {
            assertEquals(expected[t], shuffled.learningRate(0.1, t), "t=" + t);
        }
        assertEquals(0.1 * 0.9 * 0.9, new MultiplicativeSchedule(t -> 0.9).learningRate(0.1, 2), 1e-17);
        assertEquals(0.1, new MultiplicativeSchedule(t -> 0.9).learningRate(0.1, 0));
    }
}
