package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.TestDevice;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;

/**
 * How many backend calls a training step of the 784-512-256-10 MLP makes on a device, as the
 * trainer runs it: on a GPU each call is a kernel launch or a copy, and a small step's time is
 * mostly the host's work per launch. The cross-entropy and its mean are one fused op (four calls
 * forward, one backward), and the parameters take over the memory their gradients were computed in
 * instead of copying them.
 */
class StepCallCountTest {

    private static Map<String, Long> drain() {
        Map<String, Long> m = new TreeMap<>();
        TestDevice.CALLS.forEach((k, c) -> m.put(k, c.getAndSet(0)));
        m.values().removeIf(v -> v == 0);
        return m;
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void aStepOfTheMlpMakesFewBackendCallsAndCopiesNoGradient() {
        Sequential model = new Sequential(new Linear(784, 512), new Activation.ReLU(), new Linear(512, 256),
                new Activation.ReLU(), new Linear(256, 10));
        model.to(TestDevice.DEVICE);
        Tensor x = Tensor.rand(3, 64, 784);
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Tensor y = Tensor.fromArray(labels, 64);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        MemoryScope.Pool pool = new MemoryScope.Pool();
        Map<String, Long> forward = null;
        Map<String, Long> loss = null;
        Map<String, Long> backward = null;
        Tensor[] gradsBefore = new Tensor[6];
        for (int step = 0; step < 3; step++) {
            try (MemoryScope s = MemoryScope.open(pool)) {
                Tensor xd = x.to(TestDevice.DEVICE);
                Tensor yd = y.to(TestDevice.DEVICE);
                model.zeroGrad();
                drain();
                Tensor out = model.forward(xd);
                forward = drain();
                Tensor l = ce.compute(out, yd);
                loss = drain();
                l.backward();
                backward = drain();
            }
            if (step == 1) {
                for (int k = 0; k < 6; k++) {
                    gradsBefore[k] = model.parameters().get(k).grad();
                }
            }
        }
        assertEquals(Map.of("matmul", 3L, "binary", 3L, "unary", 2L), forward, "three GEMMs, bias adds, ReLUs");
        assertEquals(Map.of("softmax", 1L, "nllLoss", 1L, "reduce", 1L, "unary", 1L), loss,
                "log-softmax, picked losses, their sum, divided by the batch");
        assertTrue(total(backward) <= 12, "backward calls: " + backward);
        assertEquals(1L, backward.get("crossEntropyBackward"));
        assertEquals(0L, backward.getOrDefault("copy", 0L), "no gradient is copied into its parameter: " + backward);
        for (int k = 0; k < 6; k++) {
            Parameter p = model.parameters().get(k);
            assertTrue(p.grad() != gradsBefore[k], "parameter " + k + " took over the step's gradient memory");
            assertEquals(TestDevice.DEVICE, p.grad().device());
        }
    }
}
