package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * The full Fashion-MNIST MLP recipe of the examples (784-512-256-10, batches of 64, SGD with
 * momentum 0.9 at 0.02, ten times smaller from epoch 8, 10 epochs) from the same initial weights on
 * the CPU and on the GPU: the test accuracies agree within half a point. The data comes from
 * FASHION_MNIST_DIR or Debian's location; without it the test is skipped.
 */
@Tag("gpu")
class FashionMnistGpuTest {

    private static Module mlp() {
        return new Sequential(new Flatten(), new Linear(784, 512), new Activation.ReLU(), new Linear(512, 256),
                new Activation.ReLU(), new Linear(256, 10));
    }

    private static double testAccuracy(Module init, Device device, FashionMnist data) {
        Module model = mlp();
        model.loadStateDict(init.stateDict(), true);
        model.to(device);
        DataLoader train = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.train())).batchSize(64).shuffle(true)
                .seed(1).prefetch(2).build();
        DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
        long start = System.nanoTime();
        History h = new Trainer().metrics(Accuracy::new).schedule((base, epoch) -> epoch < 7 ? base : base * 0.1)
                .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.02, 0.9, 0), train, test, 10);
        double acc = h.last("val_accuracy");
        System.out.printf("Fashion-MNIST MLP on %s: test accuracy %.4f after 10 epochs (%.1f s)%n", device, acc,
                (System.nanoTime() - start) / 1e9);
        return acc;
    }

    @Test
    void theGpuRunReachesTheCpuRunsTestAccuracyWithinHalfAPoint() throws IOException {
        Device gpu = GpuTests.device();
        FashionMnist data;
        try {
            data = FashionMnist.load(new String[0]);
        } catch (IllegalStateException e) {
            assumeTrue(false, "skipped: " + e.getMessage());
            return;
        }
        Module init = mlp();
        double cpu = testAccuracy(init, Device.CPU, data);
        double onGpu = testAccuracy(init, gpu, data);
        assertTrue(cpu > 0.88, "the CPU run reaches the example's accuracy: " + cpu);
        assertEquals(cpu, onGpu, 0.005, "test accuracy on " + gpu + " vs cpu");
    }
}
