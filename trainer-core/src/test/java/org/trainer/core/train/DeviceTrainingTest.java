package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.TestDevice;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;

/**
 * A model on another device trains from CPU loaders as they are: the trainer moves each batch to
 * the model's device. The "test" device runs the CPU's primitives on storages of its own, so the
 * figures must come out bitwise equal to a run on the CPU.
 */
class DeviceTrainingTest {

    private static Module mlp() {
        return new Sequential(new Linear(64, 32), new Activation.ReLU(), new Linear(32, 10));
    }

    private static DataLoader loader(TensorDataset d, boolean shuffle) {
        return DataLoader.builder(d).batchSize(32).shuffle(shuffle).seed(5).build();
    }

    private static History fit(Module model, TensorDataset train, TensorDataset val) {
        return new Trainer().metrics(Accuracy::new).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.05, 0.9), loader(train, true), loader(val, false), 3);
    }

    @Test
    void aModelOnAnotherDeviceTrainsFromCpuLoadersAsOnTheCpu() {
        TensorDataset all = Digits.load();
        TensorDataset train = all.subset(IntStream.range(0, 1400).toArray());
        TensorDataset val = all.subset(IntStream.range(1400, all.size()).toArray());
        Module onCpu = mlp();
        Module onDevice = mlp();
        onDevice.loadStateDict(onCpu.stateDict(), true);
        onDevice.to(TestDevice.DEVICE);
        assertEquals(TestDevice.DEVICE, onDevice.parameters().get(0).value().device());

        long before = TestDevice.UPLOADS.get();
        History cpu = fit(onCpu, train, val);
        History dev = fit(onDevice, train, val);
        // 44 training and 13 validation batches a epoch, features and targets each, 3 epochs.
        assertTrue(TestDevice.UPLOADS.get() - before >= 3 * (44 + 13) * 2,
                "uploads: " + (TestDevice.UPLOADS.get() - before));

        for (String key : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            assertEquals(cpu.get(key), dev.get(key), key);
        }
        assertTrue(cpu.last("val_accuracy") > 0.8, "the run learns: " + cpu.last("val_accuracy"));
        List<Parameter> pc = onCpu.parameters();
        List<Parameter> pd = onDevice.parameters();
        for (int k = 0; k < pc.size(); k++) {
            assertEquals(TestDevice.DEVICE, pd.get(k).value().device(), "parameter " + k + " stays on the device");
            assertArrayEquals(pc.get(k).value().toFloatArray(), pd.get(k).value().toFloatArray(), "parameter " + k);
        }

        Trainer t = new Trainer().metrics(Accuracy::new);
        Map<String, Double> ec = t.evaluate(onCpu, new CrossEntropyLoss(), loader(val, false));
        Map<String, Double> ed = t.evaluate(onDevice, new CrossEntropyLoss(), loader(val, false));
        assertEquals(ec, ed);
        Tensor pred = Trainer.predict(onDevice, loader(val, false));
        assertEquals(TestDevice.DEVICE, pred.device());
        assertArrayEquals(Trainer.predict(onCpu, loader(val, false)).toFloatArray(), pred.toFloatArray());
    }

    @Test
    void movedTensorsComeFromTheStepsMemoryAndParametersDoNot() {
        Tensor host = Tensor.arange(0, 12, 1).reshape(3, 4);
        MemoryScope.Pool pool = new MemoryScope.Pool();
        Module model = mlp();
        try (MemoryScope step = MemoryScope.open(pool)) {
            Tensor moved = host.to(TestDevice.DEVICE);
            assertEquals(TestDevice.DEVICE, moved.device());
            assertArrayEquals(host.toFloatArray(), moved.toFloatArray());
            assertArrayEquals(host.shape(), moved.shape());
            // Moving a model inside a step must not hand its parameters to the step's scope.
            model.to(TestDevice.DEVICE);
        }
        assertEquals(12 * 4, pool.bytes(), "the moved tensor's memory went back to the pool, and only it");
        float[] before = model.parameters().get(0).value().toFloatArray();
        try (MemoryScope step = MemoryScope.open(pool)) {
            Tensor.zeros(Backends.get(TestDevice.DEVICE), host.dtype(), 32, 64);
        }
        assertArrayEquals(before, model.parameters().get(0).value().toFloatArray(), "parameter memory reused");
        Tensor back = Tensor.full(TestDevice.DEVICE, host.dtype(), 2.5, 2, 2).to(Device.CPU);
        assertEquals(Device.CPU, back.device());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, back.toFloatArray());
    }

    @Test
    void operandsOnDifferentDevicesAreRefused() {
        Tensor a = Tensor.ones(2, 2);
        Tensor b = Tensor.ones(2, 2).to(TestDevice.DEVICE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("different devices"), e.getMessage());
    }
}
