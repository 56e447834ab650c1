package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * Checkpointing an optimizer: k steps, stateDict, a fresh optimizer over fresh parameters holding the
 * saved weights, loadStateDict, more steps: the weights are bitwise those of a run that never
 * stopped, for every optimizer and option that keeps state, in float32 and float64, with a learning
 * rate changed before the save (restored from the state). Also: the state survives a safetensors
 * file, is a snapshot, and a state that does not fit is refused with the key named.
 */
class StateDictTest {
    private static final int BEFORE = 7;
    private static final int AFTER = 13;

    /** An optimizer kind with its state methods, which the Optimizer interface does not declare. */
    record Kind(String name, Function<List<ParameterGroup>, Optimizer> make,
                Function<Optimizer, Map<String, Tensor>> save, BiConsumer<Optimizer, Map<String, Tensor>> load) {
    }

    static List<Kind> kinds() {
        return List.of(
                new Kind("SGD nesterov", gs -> new SGD(gs, 0.9, 0, true), o -> ((SGD) o).stateDict(),
                        (o, s) -> ((SGD) o).loadStateDict(s)),
                new Kind("Adam", gs -> new Adam(gs, 0.9, 0.99, 1e-8, false), o -> ((Adam) o).stateDict(),
                        (o, s) -> ((Adam) o).loadStateDict(s)),
                new Kind("Adam amsgrad", gs -> new Adam(gs, 0.8, 0.9, 1e-6, true), o -> ((Adam) o).stateDict(),
                        (o, s) -> ((Adam) o).loadStateDict(s)),
                new Kind("AdamW amsgrad", gs -> new AdamW(gs, 0.9, 0.999, 1e-8, true), o -> ((AdamW) o).stateDict(),
                        (o, s) -> ((AdamW) o).loadStateDict(s)),
                new Kind("RMSprop centered momentum", gs -> new RMSprop(gs, 0.9, 1e-8, 0.5, true),
                        o -> ((RMSprop) o).stateDict(), (o, s) -> ((RMSprop) o).loadStateDict(s)),
                new Kind("RMSprop", gs -> new RMSprop(gs, 0.99, 1e-8, 0, false), o -> ((RMSprop) o).stateDict(),
                        (o, s) -> ((RMSprop) o).loadStateDict(s)),
                new Kind("Adagrad", gs -> new Adagrad(gs, 0.1, 0.5, 1e-10), o -> ((Adagrad) o).stateDict(),
                        (o, s) -> ((Adagrad) o).loadStateDict(s)));
    }

    /** The reference problem's data and parameters, in a dtype. */
    static final class Problem {
        final Tensor x;
        final Tensor y;
        final Parameter w1;
        final Parameter w2;

        Problem(DType dtype, Tensor w1Init, Tensor w2Init) {
            this(dtype, w1Init, w2Init, Device.CPU);
        }

        Problem(DType dtype, Tensor w1Init, Tensor w2Init, Device device) {
            x = Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("x")), 6, 3).to(dtype).to(device);
            y = Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("y")), 6).to(dtype).to(device);
            w1 = new Parameter(w1Init.to(dtype).to(device));
            w2 = new Parameter(w2Init.to(dtype).to(device));
        }

        Problem(DType dtype) {
            this(dtype, Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("w1")), 3, 4),
                    Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("w2")), 4));
        }

        List<ParameterGroup> groups() {
            return List.of(new ParameterGroup(List.of(w1), 0.02, 0.01), new ParameterGroup(List.of(w2), 0.05, 0));
        }

        void steps(Optimizer opt, int n) {
            for (int i = 0; i < n; i++) {
                OptimizerReferenceTest.step(opt, x, y, w1, w2);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> resumingIsBitwiseIdenticalToNeverStopping() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (Kind k : kinds()) {
                tests.add(DynamicTest.dynamicTest(k.name() + " " + dtype, () -> {
                    Problem straight = new Problem(dtype);
                    Optimizer a = k.make().apply(straight.groups());
                    straight.steps(a, BEFORE);
                    a.groups().get(1).setLearningRate(0.03);
                    Map<String, Tensor> saved = k.save().apply(a);
                    Tensor w1Saved = straight.w1.value().copy().detach();
                    Tensor w2Saved = straight.w2.value().copy().detach();
                    straight.steps(a, AFTER);

                    Problem resumed = new Problem(dtype, w1Saved, w2Saved);
                    Optimizer b = k.make().apply(resumed.groups());
                    k.load().accept(b, saved);
                    assertEquals(0.03, b.groups().get(1).learningRate());
                    resumed.steps(b, AFTER);
                    assertArrayEquals(straight.w1.value().toDoubleArray(), resumed.w1.value().toDoubleArray());
                    assertArrayEquals(straight.w2.value().toDoubleArray(), resumed.w2.value().toDoubleArray());
                    assertEquals(k.save().apply(a).keySet(), k.save().apply(b).keySet());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void stateSurvivesASafetensorsFile(@TempDir Path dir) throws Exception {
        Problem straight = new Problem(DType.FLOAT32);
        AdamW a = new AdamW(straight.groups(), 0.9, 0.999, 1e-8, true);
        straight.steps(a, BEFORE);
        Path file = dir.resolve("adamw.safetensors");
        Safetensors.save(a.stateDict(), Map.of("optimizer", "AdamW"), file);
        Tensor w1Saved = straight.w1.value().copy().detach();
        Tensor w2Saved = straight.w2.value().copy().detach();
        straight.steps(a, AFTER);

        Problem resumed = new Problem(DType.FLOAT32, w1Saved, w2Saved);
        AdamW b = new AdamW(resumed.groups(), 0.9, 0.999, 1e-8, true);
        b.loadStateDict(Safetensors.read(file));
        resumed.steps(b, AFTER);
        assertArrayEquals(straight.w1.value().toFloatArray(), resumed.w1.value().toFloatArray());
        assertArrayEquals(straight.w2.value().toFloatArray(), resumed.w2.value().toFloatArray());
    }

    @Test
    void theStateNamesItsEntriesAsPyTorchAndIsASnapshot() {
        Problem p = new Problem(DType.FLOAT64);
        Adam adam = new Adam(p.groups(), 0.9, 0.999, 1e-8, true);
        assertEquals(List.of("param_groups.0.lr", "param_groups.1.lr"), new ArrayList<>(adam.stateDict().keySet()));
        p.steps(adam, 3);
        Map<String, Tensor> s = adam.stateDict();
        assertEquals(List.of("state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.0.step",
                "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq", "state.1.step",
                "param_groups.0.lr", "param_groups.1.lr"), new ArrayList<>(s.keySet()));
        assertEquals(3.0, s.get("state.1.step").item());
        assertArrayEquals(new int[] {3, 4}, s.get("state.0.exp_avg").shape());
        double[] before = s.get("state.0.exp_avg").toDoubleArray();
        p.steps(adam, 1);
        assertArrayEquals(before, s.get("state.0.exp_avg").toDoubleArray(), "a later step changed the snapshot");
        assertEquals(4.0, adam.stateDict().get("state.0.step").item());
    }

    @Test
    void aStateThatDoesNotFitIsRefusedWithTheKeyNamed() {
        Problem p = new Problem(DType.FLOAT64);
        Adam adam = new Adam(p.groups(), 0.9, 0.999, 1e-8, false);
        p.steps(adam, 2);
        Map<String, Tensor> good = adam.stateDict();
        Adam fresh = new Adam(new Problem(DType.FLOAT64).groups(), 0.9, 0.999, 1e-8, false);

        Map<String, Tensor> bad = new LinkedHashMap<>(good);
        bad.put("state.0.exp_avg", Tensor.zeros(DType.FLOAT64, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(bad));
        assertEquals("Adam.loadStateDict: state.0.exp_avg has shape [4] but parameter 0 has shape [3, 4]",
                e.getMessage());

        Map<String, Tensor> unknown = new LinkedHashMap<>(good);
        unknown.put("state.0.momentum_buffer", Tensor.zeros(DType.FLOAT64, 3, 4));
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(unknown));
        assertTrue(e.getMessage().startsWith("Adam.loadStateDict: unexpected key 'state.0.momentum_buffer'"),
                e.getMessage());

        Map<String, Tensor> outOfRange = new LinkedHashMap<>(good);
        outOfRange.put("state.2.step", Tensor.full(DType.FLOAT64, 1));
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(outOfRange));
        assertEquals("Adam.loadStateDict: state.2.step names index 2, expected 0..1", e.getMessage());

        Map<String, Tensor> partial = new LinkedHashMap<>(good);
        partial.remove("state.1.exp_avg_sq");
        partial.remove("param_groups.1.lr");
        partial.put("param_groups.0.lr", Tensor.full(DType.FLOAT64, 0.5));
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(partial));
        assertEquals("Adam.loadStateDict: missing [param_groups.1.lr, state.1.exp_avg_sq]", e.getMessage());
        // Nothing was half-loaded: the refused state's learning rate was not applied.
        assertEquals(0.02, fresh.groups().get(0).learningRate());
        assertFalse(fresh.stateDict().containsKey("state.0.exp_avg"));
    }
}
