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
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
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
 * rate changed before the save (restored from the state); the optimizers come from
 * {@link OptimizerRegistry}, every registered one with its groups' own options too. Also: the state survives a safetensors
 * file, is a snapshot, and a state that does not fit is refused with the key named.
 */
class StateDictTest {
    private static final int BEFORE = 7;
    private static final int AFTER = 13;

    /**
     * An optimizer from the registry, with settings for both groups on top of the problem's learning
     * rates and weight decays ({@link Problem#settings}), or the two groups' own settings.
     */
    record Kind(String name, String optimizer, List<JsonNode> settings) {
        static Kind shared(String name, String optimizer, Map<String, ?> shared) {
            return new Kind(name, optimizer, Problem.settings(shared));
        }

        Optimizer make(Problem p) {
            return OptimizerRegistry.create(optimizer, List.of(List.of(p.w1), List.of(p.w2)), settings);
        }
    }

    /** Hand-picked options, then every case of the per-group fixture: each registered optimizer. */
    static List<Kind> kinds() {
        List<Kind> kinds = new ArrayList<>(List.of(
                Kind.shared("SGD nesterov", "SGD", Map.of("momentum", 0.9, "nesterov", true)),
                Kind.shared("Adam", "Adam", Map.of("betas", List.of(0.9, 0.99))),
                Kind.shared("Adam amsgrad", "Adam", Map.of("betas", List.of(0.8, 0.9), "eps", 1e-6, "amsgrad", true)),
                Kind.shared("AdamW amsgrad", "AdamW", Map.of("amsgrad", true)),
                Kind.shared("RMSprop centered momentum", "RMSprop", Map.of("alpha", 0.9, "momentum", 0.5,
                        "centered", true)),
                Kind.shared("RMSprop", "RMSprop", Map.of()),
                Kind.shared("Adagrad", "Adagrad", Map.of("lr_decay", 0.1, "initial_accumulator_value", 0.5))));
        for (String optimizer : OptimizerRegistry.ROWS.keySet()) {
            for (JsonNode c : ParamGroupReferenceTest.cases(optimizer)) {
                kinds.add(new Kind(optimizer + " per group " + c.get("name").asText(), optimizer,
                        ParamGroupReferenceTest.settings(c)));
            }
        }
        return kinds;
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

        /** The settings of the two groups of {@link #groups()}, each with {@code shared} added. */
        static List<JsonNode> settings(Map<String, ?> shared) {
            Map<String, Object> a = new LinkedHashMap<>(Map.of("lr", 0.02, "weight_decay", 0.01));
            Map<String, Object> b = new LinkedHashMap<>(Map.of("lr", 0.05, "weight_decay", 0.0));
            a.putAll(shared);
            b.putAll(shared);
            return List.of(OptimizerRegistry.settings(a), OptimizerRegistry.settings(b));
        }

        /** The optimizer of a registered kind over w1 and w2, with {@link #settings}. */
        Optimizer optimizer(String name, Map<String, ?> shared) {
            return OptimizerRegistry.create(name, List.of(List.of(w1), List.of(w2)), settings(shared));
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
                    Optimizer a = k.make(straight);
                    straight.steps(a, BEFORE);
                    a.groups().get(1).setLearningRate(0.03);
                    Map<String, Tensor> saved = a.stateDict();
                    Tensor w1Saved = straight.w1.value().copy().detach();
                    Tensor w2Saved = straight.w2.value().copy().detach();
                    straight.steps(a, AFTER);

                    Problem resumed = new Problem(dtype, w1Saved, w2Saved);
                    Optimizer b = k.make(resumed);
                    b.loadStateDict(saved);
                    assertEquals(0.03, b.groups().get(1).learningRate());
                    resumed.steps(b, AFTER);
                    assertArrayEquals(straight.w1.value().toDoubleArray(), resumed.w1.value().toDoubleArray());
                    assertArrayEquals(straight.w2.value().toDoubleArray(), resumed.w2.value().toDoubleArray());
                    assertEquals(a.stateDict().keySet(), b.stateDict().keySet());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void stateSurvivesASafetensorsFile(@TempDir Path dir) throws Exception {
        Problem straight = new Problem(DType.FLOAT32);
        Optimizer a = straight.optimizer("AdamW", Map.of("amsgrad", true));
        straight.steps(a, BEFORE);
        Path file = dir.resolve("adamw.safetensors");
        Safetensors.save(a.stateDict(), Map.of("optimizer", "AdamW"), file);
        Tensor w1Saved = straight.w1.value().copy().detach();
        Tensor w2Saved = straight.w2.value().copy().detach();
        straight.steps(a, AFTER);

        Problem resumed = new Problem(DType.FLOAT32, w1Saved, w2Saved);
        Optimizer b = resumed.optimizer("AdamW", Map.of("amsgrad", true));
        b.loadStateDict(Safetensors.read(file));
        resumed.steps(b, AFTER);
        assertArrayEquals(straight.w1.value().toFloatArray(), resumed.w1.value().toFloatArray());
        assertArrayEquals(straight.w2.value().toFloatArray(), resumed.w2.value().toFloatArray());
    }

    @Test
    void theStateNamesItsEntriesAsPyTorchAndIsASnapshot() {
        Problem p = new Problem(DType.FLOAT64);
        Optimizer adam = p.optimizer("Adam", Map.of("amsgrad", true));
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
        Optimizer adam = p.optimizer("Adam", Map.of());
        p.steps(adam, 2);
        Map<String, Tensor> good = adam.stateDict();
        Optimizer fresh = new Problem(DType.FLOAT64).optimizer("Adam", Map.of());

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
