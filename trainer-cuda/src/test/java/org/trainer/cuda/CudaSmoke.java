package org.trainer.cuda;

import java.util.Locale;

import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.Storage;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * One device call's worth of numbers: the GPU, SGEMM 4096^3 through cuBLAS (FP32 and TF32) and
 * through the fallback kernel, and one MLP 784-512-256-10 training step at batch 64 and 256.
 * Not a benchmark harness (that is trainer-bench's JMH); a first look. Prints a table last.
 */
public final class CudaSmoke {
    private CudaSmoke() {
    }

    public static void main(String[] args) {
        CudaBackendProvider p = new CudaBackendProvider();
        if (!p.isAvailable()) {
            System.out.println("CudaSmoke: " + p.unavailableReason());
            return;
        }
        CudaBackend cuda = (CudaBackend) Backends.get(Device.cuda(0));
        StringBuilder table = new StringBuilder();
        row(table, "device", cuda.deviceName() + " (compute " + cuda.computeCapability() + ")");
        row(table, "default gemm", cuda.gemmName());
        row(table, "SGEMM 4096^3 " + cuda.gemmName(), tflops(cuda, cuda));
        row(table, "SGEMM 4096^3 fallback kernel", tflops(cuda, CudaBackendProvider.fallbackGemmBackend(0)));
        System.setProperty(GemmSelector.TF32_PROPERTY, "true");
        CudaBackend tf32 = new CudaBackend(CudaDevice.get(0), false);
        row(table, "SGEMM 4096^3 " + tf32.gemmName(), tflops(cuda, tf32));
        System.clearProperty(GemmSelector.TF32_PROPERTY);
        for (int batch : new int[] {64, 256, 4096}) {
            row(table, "MLP 784-512-256-10 step, batch " + batch, String.format(Locale.ROOT, "%.3f ms",
                    stepMillis(cuda, batch, false)));
        }
        row(table, "MLP 784-512-256-10 step with Adam, batch 128", String.format(Locale.ROOT, "%.3f ms",
                stepMillis(cuda, 128, false, true)));
        for (int batch : new int[] {64, 4096}) {
            row(table, "MLP step from host batches, loss read, batch " + batch, String.format(Locale.ROOT,
                    "%.3f ms", stepMillis(cuda, batch, false, false, true)));
        }
        for (int batch : new int[] {64, 256}) {
            row(table, "CNN step, batch " + batch, String.format(Locale.ROOT, "%.3f ms",
                    stepMillis(cuda, batch, true)));
        }
        row(table, "memory used / peak / cached", Bytes.str(cuda.memoryUsed()) + " / " + Bytes.str(cuda.memoryPeak())
                + " / " + Bytes.str(cuda.memoryCached()));
        System.out.println();
        System.out.print(table);
    }

    private static void row(StringBuilder t, String k, String v) {
        String line = String.format(Locale.ROOT, "%-42s %s%n", k, v);
        System.out.print(line);
        t.append(line);
    }

    private static String tflops(CudaBackend owner, Backend gemm) {
        int n = 4096;
        Storage a = owner.allocate(DType.FLOAT32, n * n);
        Storage b = owner.allocate(DType.FLOAT32, n * n);
        Storage c = owner.allocate(DType.FLOAT32, n * n);
        owner.random(a, false, -1, 1, 1);
        owner.random(b, false, -1, 1, 2);
        for (int i = 0; i < 3; i++) {
            gemm.matmul(false, false, 1, n, n, n, a, 0, b, 0, c, 0, false);
        }
        owner.synchronize();
        int reps = 10;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            gemm.matmul(false, false, 1, n, n, n, a, 0, b, 0, c, 0, false);
        }
        owner.synchronize();
        double s = (System.nanoTime() - t0) / 1e9;
        return String.format(Locale.ROOT, "%.1f TFLOP/s", 2.0 * n * n * n * reps / s / 1e12);
    }

    private static double stepMillis(CudaBackend cuda, int batch, boolean cnn) {
        return stepMillis(cuda, batch, cnn, false, false);
    }

    private static double stepMillis(CudaBackend cuda, int batch, boolean cnn, boolean adam) {
        return stepMillis(cuda, batch, cnn, adam, false);
    }

    /**
     * One training step's mean time over 50 steps after 10 of warm-up. The data lives on the GPU,
     * or, with {@code fromHost}, on the CPU as a loader gives it: then each step moves the batch to
     * the device (through the pinned ring) and reads the loss back, as the Trainer does.
     */
    private static double stepMillis(CudaBackend cuda, int batch, boolean cnn, boolean adam, boolean fromHost) {
        Module model = cnn
                ? new Sequential(new Conv2d(1, 32, 5), new Activation.ReLU(), new MaxPool2d(2),
                        new Conv2d(32, 64, 5), new Activation.ReLU(), new MaxPool2d(2), new Flatten(),
                        new Linear(1024, 256), new Activation.ReLU(), new Linear(256, 10))
                : new Sequential(new Linear(784, 512), new Activation.ReLU(), new Linear(512, 256),
                        new Activation.ReLU(), new Linear(256, 10));
        model.to(cuda.device());
        Optimizer opt = adam ? new Adam(model.parameters(), 1e-3) : new SGD(model.parameters(), 0.01, 0.9, 0);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 10;
        }
        Device home = fromHost ? Device.CPU : cuda.device();
        Tensor x = (cnn ? Tensor.rand(3, batch, 1, 28, 28) : Tensor.rand(3, batch, 784)).to(home);
        Tensor y = Tensor.fromArray(labels, batch).to(home);
        // As the Trainer runs a step: its tensors' memory is recycled from the step before.
        MemoryScope.Pool pool = new MemoryScope.Pool();
        double[] sink = new double[1];
        Runnable step = () -> {
            try (MemoryScope scope = MemoryScope.open(pool)) {
                model.zeroGrad();
                Tensor l = loss.compute(model.forward(x.to(cuda.device())), y.to(cuda.device()));
                l.backward();
                if (fromHost) {
                    sink[0] += l.item();
                }
            }
            opt.step();
        };
        for (int i = 0; i < 10; i++) {
            step.run();
        }
        cuda.synchronize();
        int reps = 50;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            step.run();
        }
        cuda.synchronize();
        return (System.nanoTime() - t0) / 1e6 / reps;
    }
}
