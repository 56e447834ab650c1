package org.trainer.cuda;

import java.util.HashMap;
import java.util.Map;

import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;
import org.trainer.optim.SGD;

/** Samples the training thread's stack while it runs MLP steps on the GPU: where host time goes. */
public final class HostProfile {
    public static void main(String[] args) throws Exception {
        CudaBackend cuda = (CudaBackend) Backends.get(Device.cuda(0));
        Sequential model = new Sequential(new Linear(784, 512), new Activation.ReLU(), new Linear(512, 256),
                new Activation.ReLU(), new Linear(256, 10));
        model.to(cuda.device());
        SGD opt = new SGD(model.parameters(), 0.01, 0.9, 0);
        Tensor x = Tensor.rand(3, 64, 784).to(cuda.device());
        int[] labels = new int[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = i % 10;
        }
        Tensor y = Tensor.fromArray(labels, 64).to(cuda.device());
        CrossEntropyLoss ce = new CrossEntropyLoss();
        MemoryScope.Pool pool = new MemoryScope.Pool();
        Thread worker = new Thread(() -> {
            for (int i = 0; i < 6000; i++) {
                try (MemoryScope s = MemoryScope.open(pool)) {
                    ce.compute(model.forward(x), y).backward();
                }
                opt.step();
                model.zeroGrad();
            }
            cuda.synchronize();
        });
        worker.start();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        int samples = 0;
        Thread.sleep(1500);
        while (worker.isAlive()) {
            StackTraceElement[] st = worker.getStackTrace();
            if (st.length > 0) {
                samples++;
                self.merge(st[0].getClassName() + "." + st[0].getMethodName(), 1, Integer::sum);
                for (StackTraceElement e : st) {
                    if (e.getClassName().startsWith("org.trainer")) {
                        ours.merge(e.getClassName() + "." + e.getMethodName(), 1, Integer::sum);
                        break;
                    }
                }
            }
            Thread.sleep(1);
        }
        print("self", self, samples);
        print("first frame of ours", ours, samples);
    }

    private static void print(String title, Map<String, Integer> m, int n) {
        System.out.println("== " + title + " (" + n + " samples)");
        m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15)
                .forEach(e -> System.out.printf("%5.1f%% %s%n", 100.0 * e.getValue() / n, e.getKey()));
    }
}
