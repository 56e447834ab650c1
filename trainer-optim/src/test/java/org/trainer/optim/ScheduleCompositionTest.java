package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.train.LearningRateSchedule;

/** Composed schedules: known values, schedules of schedules, and the boundaries torch leaves out. */
class ScheduleCompositionTest {

    @Test
    void sequentialRestartsEachPartAtItsMilestoneFromBase() {
        SequentialSchedule s = new SequentialSchedule(List.of(new LinearSchedule(0.5, 1, 2),
                new ExponentialSchedule(0.5), new StepSchedule(2, 0.1)), new long[] {3, 5});
        double[] expected = {0.5, 0.75, 1.0, 1.0, 0.5, 1.0, 1.0, 0.1, 0.1, 0.01};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], s.learningRate(1, t), 1e-15, "t=" + t);
        }
    }

    @Test
    void linearWarmupIsSequentialLinearThenTheOther() {
        LearningRateSchedule cos = new CosineSchedule(90, 0.001);
        LinearWarmupSchedule warm = new LinearWarmupSchedule(0.1, 10, cos);
        SequentialSchedule seq = new SequentialSchedule(List.of(new LinearSchedule(0.1, 1, 10), cos), new long[] {10});
        for (int t = 0; t < 300; t++) {
            assertEquals(warm.learningRate(0.3, t), seq.learningRate(0.3, t), 1e-15, "t=" + t);
        }
    }

    @Test
    void chainedMultipliesTheFactors() {
        ChainedSchedule c = new ChainedSchedule(List.of(new ExponentialSchedule(0.9), new StepSchedule(3, 0.5),
                new ConstantFactorSchedule(0.25, 2)));
        for (int t = 0; t < 20; t++) {
            double expected = 2 * Math.pow(0.9, t) * Math.pow(0.5, t / 3) * (t < 2 ? 0.25 : 1);
            assertEquals(expected, c.learningRate(2, t), 1e-14, "t=" + t);
        }
    }

    @Test
    void schedulesOfSchedulesNest() {
        // Warm-up into (cosine x exponential), then a chained part inside a sequential one inside a chain.
        LearningRateSchedule inner = new ChainedSchedule(List.of(new CosineSchedule(40), new ExponentialSchedule(0.99)));
        SequentialSchedule seq = new SequentialSchedule(List.of(new LinearSchedule(0.2, 1, 10), inner), new long[] {10});
        ChainedSchedule outer = new ChainedSchedule(List.of(seq, new ConstantFactorSchedule(0.5, 5)));
        for (int t = 0; t < 60; t++) {
            double part = t < 10 ? 0.2 + 0.8 * t / 10
                    : (1 + Math.cos(Math.PI * (t - 10) / 40)) / 2 * Math.pow(0.99, t - 10);
            assertEquals(0.1 * part * (t < 5 ? 0.5 : 1), outer.learningRate(0.1, t), 1e-15, "t=" + t);
        }
    }

    @Test
    void absoluteSchedulesIgnoreTheGroupsRate() {
        CyclicSchedule cyc = new CyclicSchedule(0.01, 0.1, 4);
        OneCycleSchedule one = new OneCycleSchedule(0.2, 50);
        for (int t = 0; t < 60; t++) {
            assertEquals(cyc.learningRate(0.5, t), cyc.learningRate(7, t));
            assertEquals(one.learningRate(0.5, t), one.learningRate(7, t));
        }
        double[] triangle = {0.01, 0.0325, 0.055, 0.0775, 0.1, 0.0775, 0.055, 0.0325, 0.01, 0.0325};
        for (int t = 0; t < triangle.length; t++) {
            assertEquals(triangle[t], cyc.learningRate(1, t), 1e-15, "t=" + t);
        }
        // triangular2 halves the amplitude each cycle; exp_range scales it by gamma^t.
        assertEquals(0.01 + 0.09 / 2, cyc.mode(CyclicSchedule.Mode.TRIANGULAR2).learningRate(1, 12), 1e-15);
        assertEquals(0.01 + 0.09 / 4, cyc.mode(CyclicSchedule.Mode.TRIANGULAR2).learningRate(1, 20), 1e-15);
        assertEquals(0.01 + 0.09 * Math.pow(0.9, 12), cyc.expRange(0.9).learningRate(1, 12), 1e-15);
    }

    @Test
    void oneCycleThreePhaseAndLinearHitTheirCorners() {
        // n = 100, p = 0.25: I -> M over [0, 24], M -> I over [24, 48], I -> F over [48, 99].
        OneCycleSchedule s = new OneCycleSchedule(1, 100, 0.25, 25, 1e4).threePhase(true);
        assertEquals(1.0 / 25, s.learningRate(3, 0), 1e-15);
        assertEquals(1.0, s.learningRate(3, 24), 1e-15);
        assertEquals(1.0 / 25, s.learningRate(3, 48), 1e-15);
        assertEquals(1.0 / 25 / 1e4, s.learningRate(3, 99), 1e-18);
        assertEquals(1.0 / 25 / 1e4, s.learningRate(3, 500), 1e-18);
        OneCycleSchedule lin = s.anneal(OneCycleSchedule.Anneal.LINEAR);
        assertEquals((1.0 / 25 + 1.0) / 2, lin.learningRate(3, 12), 1e-15);
        assertEquals((1.0 / 25 + 1.0) / 2, lin.learningRate(3, 36), 1e-15);
    }

    @Test
    void constantFactorAndLinearHoldAfterTheirEnd() {
        assertEquals(0.05, new ConstantFactorSchedule(0.5, 3).learningRate(0.1, 2), 1e-17);
        assertEquals(0.1, new ConstantFactorSchedule(0.5, 3).learningRate(0.1, 3));
        assertEquals(0.1, new ConstantFactorSchedule(0, 3).learningRate(0.1, 1_000_000));
        LinearSchedule down = new LinearSchedule(1, 0, 4);
        assertEquals(0.5, down.learningRate(1, 2), 1e-15);
        assertEquals(0, down.learningRate(1, 4));
        assertEquals(0, down.learningRate(1, Long.MAX_VALUE));
        assertEquals(0.25, new LinearSchedule(0, 1, 4).learningRate(1, 1), 1e-15);
    }
}
