package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

class ModuleTest {

    @Test
    void namesFollowPyTorch() {
        Sequential s = new Sequential(new Linear(4, 3), new Activation.ReLU(), new Linear(3, 2, false, null, 1));
        assertEquals(List.of("0.weight", "0.bias", "2.weight"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(4 * 3 + 3 + 3 * 2, s.parameterCount());
        assertArrayEquals(new int[] {3, 4}, s.namedParameters().get("0.weight").value().shape());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Dropout d = new Dropout(0.5, 3);
        Sequential s = new Sequential(new Sequential(d));
        s.eval();
        assertFalse(d.isTraining());
        Tensor x = Tensor.ones(1000);
        assertArrayEquals(x.toFloatArray(), s.forward(x).toFloatArray());
        s.train();
        Tensor y = s.forward(x);
        assertEquals(0.5, y.eq(0).mean().item(), 0.05);
        assertEquals(1.0, y.mean().item(), 0.1);
        assertNotEquals(0, d.calls());
    }

    @Test
    void frozenParametersGetNoGradient() {
        Sequential s = new Sequential(new Linear(3, 3), new Linear(3, 1));
        assertEquals(2, s.setTrainable("0.", false));
        s.forward(Tensor.randn(1, 2, 3)).sum().backward();
        assertNull(s.namedParameters().get("0.weight").grad());
        assertTrue(s.namedParameters().get("1.weight").grad() != null);
        assertEquals(4, s.parameterCount());
    }

    @Test
    void replaceTheHead() {
        Sequential s = new Sequential(new Linear(3, 3), new Linear(3, 10));
        s.replaceModule("1", new Linear(3, 5));
        assertArrayEquals(new int[] {2, 5}, s.forward(Tensor.zeros(2, 3)).shape());
        assertThrows(IllegalArgumentException.class, () -> s.replaceModule("7", new Linear(1, 1)));
    }

    @Test
    void loadStateDictChecksNamesAndShapes() {
        Sequential a = new Sequential(new Linear(3, 2));
        Sequential b = new Sequential(new Linear(3, 2));
        b.loadStateDict(a.stateDict(), true);
        assertArrayEquals(a.stateDict().get("0.weight").toFloatArray(), b.stateDict().get("0.weight").toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(Map.of("0.weight", Tensor.zeros(2, 3)), true));
        assertTrue(e.getMessage().contains("missing [0.bias]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> b.loadStateDict(Map.of("0.weight", Tensor.zeros(3, 3)), false));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void sameSeedSameWeights() {
        Seeds.set(5);
        float[] w1 = new Linear(10, 10).weight().value().toFloatArray();
        Seeds.set(5);
        float[] w2 = new Linear(10, 10).weight().value().toFloatArray();
        assertArrayEquals(w1, w2);
        assertFalse(java.util.Arrays.equals(w1, new Linear(10, 10).weight().value().toFloatArray()));
    }

    @Test
    void initializersHaveTheirStatedSpread() {
        int[] shape = {400, 300, 3, 3};
        int fanIn = 300 * 9;
        int fanOut = 400 * 9;
        assertEquals(Math.sqrt(2.0 / fanIn), std(Init.kaimingNormal().create(shape, 1)), 1e-4);
        assertEquals(Math.sqrt(1.0 / fanIn), std(Init.lecunNormal().create(shape, 2)), 1e-4);
        assertEquals(Math.sqrt(2.0 / (fanIn + fanOut)), std(Init.xavierNormal(1).create(shape, 3)), 1e-4);
        double b = Math.sqrt(6.0 / (fanIn + fanOut));
        Tensor u = Init.xavierUniform(1).create(shape, 4);
        assertTrue(u.max().item() <= b && u.min().item() >= -b);
        assertEquals(b / Math.sqrt(3), std(u), 1e-4);
        assertEquals(Math.sqrt(2) * Math.sqrt(3.0 / fanIn) / Math.sqrt(3), std(Init.kaimingUniform().create(shape, 5)), 1e-4);
        assertEquals(Math.sqrt(3.0 / fanIn) / Math.sqrt(3), std(Init.lecunUniform().create(shape, 6)), 1e-4);
        assertEquals(0.0, Init.zeros().create(new int[] {3}, 0).abs().sum().item());
        assertEquals(3.0, Init.ones().create(new int[] {3}, 0).sum().item());
    }

    private static double std(Tensor t) {
        return t.flatten().std(0, false).item();
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding e = new Embedding(5, 3, 9);
        Tensor idx = Tensor.fromArray(new int[] {4, 0, 4, 2}, 2, 2);
        Tensor out = e.forward(idx);
        assertArrayEquals(new int[] {2, 2, 3}, out.shape());
        float[] w = e.weight().value().toFloatArray();
        assertEquals(w[12], out.toFloatArray()[0]);
        out.sum().backward();
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2}, e.weight().grad().toFloatArray());
    }

    @Test
    void forwardHooksSeeEachLayerRunByAContainerUntilRemoved() {
        Sequential inner = new Sequential(new Linear(4, 3), new Activation.ReLU());
        Sequential s = new Sequential(inner, new Linear(3, 2));
        java.util.List<String> seen = new java.util.ArrayList<>();
        Module relu = inner.get(1);
        Module.HookHandle h1 = relu.addForwardHook((m, out) -> {
            assertTrue(m == relu);
            seen.add("relu " + java.util.Arrays.toString(out.shape()));
        });
        Module.HookHandle h2 = s.get(1).addForwardHook((m, out) -> seen.add("head " + out.toFloatArray().length));
        Tensor x = Tensor.randn(1, 5, 4);
        Tensor y = s.forward(x);
        assertEquals(List.of("relu [5, 3]", "head 10"), seen);
        assertArrayEquals(s.get(1).forward(relu.forward(inner.get(0).forward(x))).toFloatArray(), y.toFloatArray(),
                "hooks leave the output alone");
        seen.clear();
        relu.forward(x.narrow(1, 0, 3));
        assertEquals(List.of(), seen, "a module called through forward runs no hooks");
        relu.apply(x.narrow(1, 0, 3));
        assertEquals(1, seen.size(), "apply runs them");
        h1.close();
        h1.close();
        h2.close();
        seen.clear();
        s.forward(x);
        assertEquals(List.of(), seen, "removed hooks are gone");
        assertEquals("addForwardHook: hook must not be null",
                assertThrows(IllegalArgumentException.class, () -> relu.addForwardHook(null)).getMessage());
    }
}
