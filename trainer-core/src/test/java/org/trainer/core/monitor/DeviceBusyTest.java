package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.trainer.core.backend.TestDevice;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Phase;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;

/**
 * The device's busy share measured on its clock: the "test" device's simulated clock reports a set
 * device time per measurement, so the profiler's sampling of the steps and its arithmetic can be
 * checked exactly on the CPU.
 */
class DeviceBusyTest {

    /** Which batches ran while the device clock was running, and whether it ran outside a step. */
    static final class ClockWatch implements Callback {
        final List<String> timedBatches = new ArrayList<>();
        final List<String> runningOutsideSteps = new ArrayList<>();

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            if (TestDevice.CLOCK.running()) {
                timedBatches.add(ctx.epoch() + ":" + batch);
            }
        }

        @Override
        public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
            if (TestDevice.CLOCK.running()) {
                runningOutsideSteps.add("end of epoch " + epoch);
            }
        }

        @Override
        public void onTrainEnd(TrainingContext ctx) {
            if (TestDevice.CLOCK.running()) {
                runningOutsideSteps.add("end of training");
            }
        }
    }

    @AfterEach
    void clockOff() {
        TestDevice.CLOCK.busyNanos(-1);
    }

    /** Fits an MLP on the test device over 320 digits in batches of 32 (10 steps an epoch), with validation. */
    private static void fit(Profiler profiler, int epochs, Callback... callbacks) {
        Seeds.set(1);
        Sequential model = new Sequential(new Linear(64, 32), new Activation.ReLU(), new Linear(32, 10));
        model.to(TestDevice.DEVICE);
        DataLoader train = DataLoader.builder(DigitsRuns.train(320)).batchSize(32).shuffle(true).seed(3).build();
        DataLoader val = DataLoader.builder(DigitsRuns.VALIDATION).batchSize(500).build();
        new Trainer().profiler(profiler).callbacks(callbacks).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.05, 0.9), train, val, epochs);
    }

    @Test
    void everyKthProfiledStepIsTimedAndTheBusyShareIsItsDeviceTimeOverTheUntimedStepTime() {
        TestDevice.CLOCK.busyNanos(1_000);
        int before = TestDevice.CLOCK.measurements();
        ClockWatch watch = new ClockWatch();
        // 20 steps over 2 epochs; the first 2 skipped; of the 18 profiled, every 3rd timed. The 9th is
        // begun after the first epoch's last step, which the loader ends: its timing is dropped, and
        // the second epoch's first step takes its place.
        Profiler profiler = new Profiler(2, 3);
        fit(profiler, 2, watch);

        assertEquals(List.of("0:4", "0:7", "1:0", "1:3", "1:6", "1:9"), watch.timedBatches);
        assertEquals(List.of(), watch.runningOutsideSteps, "the clock stops when the epoch's steps end");
        assertEquals(6 + 1, TestDevice.CLOCK.measurements() - before, "six timed steps and the dropped one");
        assertEquals(12, profiler.steps());
        assertEquals(6, profiler.timedSteps());
        ProfileReport r = profiler.report();
        assertEquals(12, r.steps());
        assertEquals(6, r.timedSteps());
        assertEquals(12 * 32, r.samples(), "timed steps stay out of the throughput");
        assertEquals(1_000.0, r.deviceBusyNanosPerStep());
        assertTrue(r.deviceBusyMeasured());
        assertFalse(r.onDevice(), "the test device reports no device memory");
        double meanStep = r.totalNanos() / 12.0;
        assertEquals(1_000 / meanStep, r.deviceBusyFraction(), 1e-12);
        assertTrue(r.deviceBusyFraction() < ProfileReport.DEVICE_BUSY_THRESHOLD, r::toString);
        List<Recommendation> busy = r.recommendations().stream()
                .filter(a -> a.observation().startsWith("the device is busy")).toList();
        assertEquals(1, busy.size(), r::toString);
        assertTrue(busy.get(0).observation().contains("measured on the device's clock in 6 timed steps"),
                busy::toString);
        // The advice follows the data wait: batches come from a loader without workers here.
        boolean dataBound = r.fraction(Phase.DATA) > ProfileReport.DATA_WAIT_THRESHOLD;
        assertTrue(busy.get(0).advice().contains(dataBound ? "data bottleneck" : "larger batches"), busy::toString);
        assertTrue(r.toString().matches("(?s).*device busy \\d+% of the step time \\(measured.*"), r::toString);
        assertTrue(r.toString().contains("12 steps (and 6 timed on the device)"), r::toString);
    }

    @Test
    void aDeviceBusyForTheWholeStepGetsNoAdviceAndTheShareIsCappedAtOne() {
        TestDevice.CLOCK.busyNanos(3_600_000_000_000L);
        Profiler profiler = new Profiler(0, 5);
        fit(profiler, 1);

        ProfileReport r = profiler.report();
        assertEquals(8, r.steps());
        assertEquals(2, r.timedSteps());
        assertTrue(r.deviceBusyMeasured());
        assertEquals(1.0, r.deviceBusyFraction());
        assertTrue(r.recommendations().stream().noneMatch(a -> a.observation().startsWith("the device is busy")),
                r::toString);
    }

    @Test
    void withoutAClockOrWithTimingOffEveryStepIsAnOrdinaryOne() {
        int before = TestDevice.CLOCK.measurements();
        Profiler noClock = new Profiler(0, 2);
        fit(noClock, 1);
        assertEquals(10, noClock.steps());
        assertEquals(0, noClock.timedSteps());
        ProfileReport r = noClock.report();
        assertFalse(r.deviceBusyMeasured());
        assertTrue(Double.isNaN(r.deviceBusyFraction()), "no clock and no device memory: not applicable");
        assertTrue(Double.isNaN(r.deviceBusyNanosPerStep()));

        TestDevice.CLOCK.busyNanos(1_000);
        Profiler off = new Profiler(0, 0);
        fit(off, 1);
        assertEquals(10, off.steps());
        assertEquals(0, off.timedSteps());
        assertEquals(before, TestDevice.CLOCK.measurements(), "no measurement was taken");
        assertThrows(IllegalArgumentException.class, () -> new Profiler(0, -1));
    }

    @Test
    void withoutAMeasurementTheBusyShareOnADeviceIsTheHostsUpperBound() {
        Map<Phase, PhaseStats> phases = new EnumMap<>(Phase.class);
        double[] shares = {0.1, 0.2, 0.3, 0.1, 0.1, 0.2};
        for (Phase p : Phase.values()) {
            long total = Math.round(1000 * shares[p.ordinal()]);
            phases.put(p, new PhaseStats(total, total / 10.0, total / 10, total / 10, total / 10,
                    shares[p.ordinal()]));
        }
        ProfileReport estimated = new ProfileReport(10, 320, 1000, phases, 100, 100, 3.2e8, 1, 1, 100, 5, 5, 100,
                "cuda:0");
        assertFalse(estimated.deviceBusyMeasured());
        assertEquals(0.2 + 0.3 + 0.1 + 0.1, estimated.deviceBusyFraction(), 1e-12);
        assertEquals("at most: estimated from the host's phases", estimated.deviceBusySource());

        ProfileReport measured = new ProfileReport(10, 320, 1000, phases, 100, 100, 3.2e8, 1, 1, 100, 5, 5, 100,
                "cuda:0", 1, 25);
        assertTrue(measured.deviceBusyMeasured());
        assertEquals(0.25, measured.deviceBusyFraction(), 1e-12);
        assertTrue(measured.recommendations().stream().anyMatch(a -> a.observation().startsWith(
                "the device is busy 25% of the step time (measured")), measured::toString);

        ProfileReport allTimed = new ProfileReport(0, 0, 0, phases, 0, 0, Double.NaN, 1, 1, 100, 5, 5, 100,
                "cuda:0", 3, 25);
        assertFalse(allTimed.deviceBusyMeasured(), "no untimed step gives the wall time");
    }
}
