package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.data.Batch;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.optim.SGD;

/** An MLP trained on the bundled digits reaches the same accuracy on cuda:0 as on the CPU. */
@Tag("gpu")
class TrainingTest {

    static Module mlp() {
        return new Sequential(new Linear(64, 128), new Activation.ReLU(), new Linear(128, 64), new Activation.ReLU(),
                new Linear(64, 10));
    }

    /** Trains a copy of {@code init} on a device; returns accuracy on all samples in percent. */
    static double train(Module init, Device device, TensorDataset data) {
        Module model = mlp();
        model.loadStateDict(init.stateDict(), true);
        model.to(device);
        SGD opt = new SGD(model.parameters(), 0.05, 0.9, 0);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        int n = data.size();
        int batch = 64;
        for (int epoch = 0; epoch < 8; epoch++) {
            for (int from = 0; from < n; from += batch) {
                int[] idx = new int[Math.min(batch, n - from)];
                for (int j = 0; j < idx.length; j++) {
                    // A fixed shuffle per epoch (7919 is prime to n = 1797), the same on both devices.
                    idx[j] = (int) (((long) (from + j) * 7919 + epoch * 31L) % n);
                }
                Batch b = data.get(idx);
                model.zeroGrad();
                Tensor l = loss.compute(model.forward(b.features().to(device)), b.targets().to(device));
                l.backward();
                opt.step();
            }
        }
        try (GradMode off = Tensor.noGrad()) {
            Tensor pred = model.forward(data.features().to(device)).argmax(1, false);
            int[] p = pred.toIntArray();
            int[] y = data.targets().toIntArray();
            int right = 0;
            for (int i = 0; i < n; i++) {
                right += p[i] == y[i] ? 1 : 0;
            }
            return 100.0 * right / n;
        }
    }

    @Test
    void sameAccuracyAsCpu() {
        Device dev = GpuTests.device();
        TensorDataset data = Digits.load();
        Module init = mlp();
        double cpu = train(init, Device.CPU, data);
        double gpu = train(init, dev, data);
        assertTrue(cpu > 90, "the CPU run learns: " + cpu + "%");
        assertEquals(cpu, gpu, 0.5, "accuracy on " + dev + " vs cpu");
    }
}
