package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Module;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * Moving data to and from the GPU: uploads through the pinned ring arrive intact and in stream
 * order, also when the ring wraps many times with work queued behind each upload, large uploads
 * take the pageable path, and the trainer moves CPU batches to a model on the GPU.
 */
@Tag("gpu")
class TransferTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void uploadsAndDownloadsKeepEveryElementForEachDtype() {
        CudaBackend cuda = GpuTests.backend();
        Device dev = cuda.device();
        long before = cuda.pinnedUploads();
        for (int n : new int[] {1, 3, 1000, 257_000}) {
            float[] f = random(n, n);
            Tensor t = Tensor.fromArray(f, n);
            assertArrayEquals(f, t.to(dev).to(Device.CPU).toFloatArray(), "float32, " + n);
            double[] d = new double[n];
            int[] i = new int[n];
            for (int k = 0; k < n; k++) {
                d[k] = f[k] * 1e10;
                i[k] = (int) (f[k] * 1000);
            }
            assertArrayEquals(d, Tensor.fromArray(d, n).to(dev).to(Device.CPU).toDoubleArray(), "float64, " + n);
            assertArrayEquals(i, Tensor.fromArray(i, n).to(dev).to(Device.CPU).toIntArray(), "int32, " + n);
        }
        assertTrue(cuda.pinnedUploads() - before >= 12, "uploads went through pinned buffers");
    }

    @Test
    void uploadsStayInStreamOrderWhenTheRingWrapsWithWorkQueuedBehindThem() {
        Device dev = GpuTests.backend().device();
        int n = 300_000;
        Tensor acc = Tensor.zeros(n).to(dev);
        float[] host = new float[n];
        double expected = 0;
        for (int k = 1; k <= 40; k++) {
            // The same array is rewritten before each upload: a copy must not read it after returning.
            java.util.Arrays.fill(host, k);
            acc = acc.add(Tensor.fromArray(host, n).to(dev)).mul(Tensor.full(dev, DType.FLOAT32, 0.5));
            expected = (expected + k) * 0.5;
        }
        float[] r = acc.toFloatArray();
        for (int i = 0; i < n; i += 9973) {
            assertEquals(expected, r[i], 1e-4 * expected, "element " + i);
        }
    }

    @Test
    void anUploadOverTheStagingLimitTakesThePageablePath() {
        CudaBackend cuda = GpuTests.backend();
        int n = (int) (PinnedStaging.MAX_STAGED_BYTES / 4) + 17;
        float[] f = random(n, 5);
        long before = cuda.pinnedUploads();
        float[] back = Tensor.fromArray(f, n).to(cuda.device()).toFloatArray();
        assertEquals(before, cuda.pinnedUploads());
        assertArrayEquals(f, back);
    }

    @Test
    void theTrainerMovesCpuBatchesToAModelOnTheGpu() {
        Device dev = GpuTests.device();
        TensorDataset all = Digits.load();
        TensorDataset train = all.subset(IntStream.range(0, 1400).toArray());
        TensorDataset val = all.subset(IntStream.range(1400, all.size()).toArray());
        Module init = TrainingTest.mlp();
        double[] acc = new double[2];
        List<Device> devices = List.of(Device.CPU, dev);
        for (int k = 0; k < 2; k++) {
            Module model = TrainingTest.mlp();
            model.loadStateDict(init.stateDict(), true);
            model.to(devices.get(k));
            History h = new Trainer().metrics(Accuracy::new).fit(model, new CrossEntropyLoss(),
                    new SGD(model.parameters(), 0.05, 0.9, 0),
                    DataLoader.builder(train).batchSize(64).shuffle(true).seed(1).build(),
                    DataLoader.builder(val).batchSize(256).build(), 8);
            acc[k] = h.last("val_accuracy");
            assertEquals(devices.get(k), model.parameters().get(0).value().device());
        }
        assertTrue(acc[0] > 0.8, "the CPU run learns: " + acc[0]);
        assertEquals(acc[0], acc[1], 0.02, "validation accuracy on " + dev + " vs cpu (397 samples)");
    }
}
