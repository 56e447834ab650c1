package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.data.Batch;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Dataset;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.monitor.PhaseStats;
import org.trainer.core.monitor.ProfileReport;
import org.trainer.core.monitor.Profiler;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Phase;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * The profiler on cuda:0: device memory and the busy fraction, measured on the device's clock in
 * every 10th step, are reported, and the split still adds up.
 */
@Tag("gpu")
class ProfilerGpuTest {

    @Test
    void aProfiledFitOnTheGpuReportsDeviceFigures() {
        GpuTests.requireGpu();
        Device cuda = Device.cuda(0);
        TensorDataset digits = Digits.load();
        // Each batch is copied to the device as the loader hands it over.
        Dataset onDevice = new Dataset() {
            @Override
            public int size() {
                return digits.size();
            }

            @Override
            public Batch get(int[] indices) {
                Batch b = digits.get(indices);
                return new Batch(b.features().to(cuda), b.targets().to(cuda));
            }
        };
        Module model = TrainingTest.mlp();
        model.to(cuda);
        Profiler profiler = new Profiler(3);
        new Trainer().profiler(profiler).fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.05, 0.9, 0),
                DataLoader.builder(onDevice).batchSize(64).build(), null, 1);
        ProfileReport r = profiler.report();
        assertTrue(r.onDevice(), r::toString);
        assertEquals("cuda:0", r.device());
        assertTrue(r.deviceMemoryTotal() > r.deviceMemoryPeak() && r.deviceMemoryPeak() > 0, r::toString);
        // 29 steps, 3 skipped: the 10th and 20th of the other 26 are timed on the device.
        assertEquals(2, r.timedSteps(), r::toString);
        assertEquals(24, r.steps(), r::toString);
        assertTrue(r.deviceBusyMeasured(), r::toString);
        assertTrue(r.deviceBusyNanosPerStep() > 0, r::toString);
        double busy = r.deviceBusyFraction();
        assertTrue(busy > 0 && busy <= 1, r::toString);
        assertTrue(r.toString().contains("measured on the device's clock in 2 timed steps"), r::toString);
        assertEquals(1.0, r.phases().values().stream().mapToDouble(PhaseStats::fraction).sum(), 1e-9);
        assertTrue(r.phases().get(Phase.SYNC).totalNanos() >= 0, r::toString);
    }
}
