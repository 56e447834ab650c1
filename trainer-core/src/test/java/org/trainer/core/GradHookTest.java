package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;

/** Leaf gradient hooks, end-of-backward listeners, Backend.write and Module.to(DType). */
class GradHookTest {

    @Test
    void aHookSeesTheLeafsFinalGradientOncePerPass() {
        Tensor w = Tensor.fromArray(new double[] {2, 3}, 2).requiresGrad(true);
        List<double[]> seen = new ArrayList<>();
        w.addGradHook(t -> seen.add(t.grad().toDoubleArray()));
        // w is used twice: the hook must run after both contributions are in.
        Tensor y = w.mul(w).sum().add(w.mul(4).sum());
        y.backward();
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {8, 10}, seen.get(0));
        // A second pass accumulates on top; the hook sees the running sum.
        w.mul(w).sum().backward();
        assertEquals(2, seen.size());
        assertArrayEquals(new double[] {12, 16}, seen.get(1));
    }

    @Test
    void listenersRunAfterEveryHookAndOnlyInsideAPass() {
        Tensor a = Tensor.fromArray(new double[] {1}, 1).requiresGrad(true);
        Tensor b = Tensor.fromArray(new double[] {2}, 1).requiresGrad(true);
        List<String> events = new ArrayList<>();
        Consumer<Tensor> hook = t -> {
            events.add("grad " + t.toDoubleArray()[0]);
            if (events.size() == 1) {
                Tensor.whenBackwardEnds(done -> events.add("end " + done));
            }
        };
        a.addGradHook(hook);
        b.addGradHook(hook);
        a.mul(b).sum().backward();
        assertEquals(3, events.size());
        assertEquals("end true", events.get(2));
        assertThrows(IllegalStateException.class, () -> Tensor.whenBackwardEnds(done -> { }));
        a.removeGradHook(hook);
        b.removeGradHook(hook);
        a.mul(b).sum().backward();
        assertEquals(3, events.size());
    }

    @Test
    void aFailingPassTellsItsListenersAndKeepsItsException() {
        Tensor a = Tensor.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.fromArray(new double[] {3}, 1).requiresGrad(true);
        List<Boolean> ended = new ArrayList<>();
        a.addGradHook(t -> {
            Tensor.whenBackwardEnds(ended::add);
            throw new IllegalStateException("hook failed");
        });
        Tensor y = a.sum().add(b.sum());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("hook failed", e.getMessage());
        assertEquals(List.of(false), ended);
    }

    @Test
    void onlyLeavesTakeHooks() {
        Tensor a = Tensor.fromArray(new double[] {1}, 1).requiresGrad(true);
        assertTrue(assertThrows(IllegalStateException.class, () -> a.mul(2).addGradHook(t -> { }))
                .getMessage().contains("only leaf tensors"));
    }

    @Test
    void writeIsTheInverseOfRead() {
        Tensor f = Tensor.zeros(3);
        float[] src = {9, 1, 2, 3, 9};
        f.backend().write(f.storage(), FloatBuffer.wrap(src, 1, 3));
        assertArrayEquals(new float[] {1, 2, 3}, f.toFloatArray());
        // The test device does not override write: the interface's default (through a host array).
        Tensor d = Tensor.zeros(DType.FLOAT64, 2).to(org.trainer.core.backend.TestDevice.DEVICE);
        d.backend().write(d.storage(), DoubleBuffer.wrap(new double[] {0.5, -2}));
        assertArrayEquals(new double[] {0.5, -2}, d.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.backend().write(f.storage(), DoubleBuffer.wrap(new double[3])));
        assertTrue(e.getMessage().contains("write: src must be a FloatBuffer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.backend().write(f.storage(), FloatBuffer.wrap(new float[2])));
        assertTrue(e.getMessage().contains("write: src has 2 elements remaining, the storage has 3"), e.getMessage());
    }

    @Test
    void moduleToDTypeConvertsEveryParameter() {
        Module m = new Sequential(new Linear(3, 2, true, null, 1));
        float[] before = m.stateDict().get("0.weight").toFloatArray();
        m.to(DType.FLOAT64);
        m.parameters().forEach(p -> assertEquals(DType.FLOAT64, p.value().dtype()));
        double[] after = m.stateDict().get("0.weight").toDoubleArray();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], 0.0);
        }
        Tensor out = m.forward(Tensor.ones(1, 3).to(DType.FLOAT64));
        assertEquals(DType.FLOAT64, out.dtype());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.to(DType.INT32)).getMessage()
                .contains("dtype must be floating, got INT32"));
    }
}
