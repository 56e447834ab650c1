package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;

/**
 * Every registered optimizer ({@link OptimizerRegistry}) against torch.optim trajectories where the
 * two parameter groups differ in every hyperparameter (reference/generate_param_groups.py):
 * generate_optimizers.py's problem in float64, 25 steps, each parameter matched after every step to
 * 1e-12 relative. Run twice: through the backend's fused kernels, and through each optimizer's
 * Tensor-level reference update. A guard fails, naming it, for any optimizer of the package
 * without a row and a case.
 */
class ParamGroupReferenceTest {
    static final double REL = 1e-12;
    static final double ABS = 1e-14;
    static final JsonNode ROOT = read();

    /**
     * Optimizers of the package that wrap another optimizer rather than update parameters themselves;
     * they have their own reference tests (GradientClipping: GradientClippingTest, against
     * torch.nn.utils.clip_grad_*).
     */
    static final Set<Class<?>> WRAPPERS = Set.of(GradientClipping.class);

    static JsonNode read() {
        try (InputStream in = ParamGroupReferenceTest.class.getResourceAsStream("/reference/param_groups.json")) {
            assertNotNull(in, "reference/param_groups.json is missing");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> fusedKernelsMatchPyTorchWithEveryOptionPerGroup() {
        return trajectories(false);
    }

    @TestFactory
    Stream<DynamicTest> referenceUpdatesMatchPyTorchWithEveryOptionPerGroup() {
        return trajectories(true);
    }

    /** The configurations of an optimizer in the fixture, each as {name, groups, steps}. */
    static List<JsonNode> cases(String optimizer) {
        List<JsonNode> out = new ArrayList<>();
        ROOT.get("optimizers").path(optimizer).forEach(out::add);
        return out;
    }

    /** The two group settings of a case. */
    static List<JsonNode> settings(JsonNode c) {
        return List.of(c.get("groups").get(0), c.get("groups").get(1));
    }

    private static Stream<DynamicTest> trajectories(boolean reference) {
        Tensor x = Tensor.fromArray(SgdTest.doubles(ROOT.get("x")), 6, 3);
        Tensor y = Tensor.fromArray(SgdTest.doubles(ROOT.get("y")), 6);
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : OptimizerRegistry.ROWS.keySet()) {
            for (JsonNode c : cases(name)) {
                String what = name + "." + c.get("name").asText();
                tests.add(DynamicTest.dynamicTest(what, () -> {
                    Parameter w1 = new Parameter(Tensor.fromArray(SgdTest.doubles(ROOT.get("w1")), 3, 4));
                    Parameter w2 = new Parameter(Tensor.fromArray(SgdTest.doubles(ROOT.get("w2")), 4));
                    BufferedOptimizer<?> opt = OptimizerRegistry.create(name, List.of(List.of(w1), List.of(w2)),
                            settings(c));
                    opt.referenceOnly(reference);
                    int step = 0;
                    for (JsonNode expected : c.get("steps")) {
                        OptimizerReferenceTest.step(opt, x, y, w1, w2);
                        OptimizerReferenceTest.assertClose(what + " step " + step + " w1",
                                SgdTest.doubles(expected.get("w1")), w1.value().toDoubleArray(), REL, ABS);
                        OptimizerReferenceTest.assertClose(what + " step " + step + " w2",
                                SgdTest.doubles(expected.get("w2")), w2.value().toDoubleArray(), REL, ABS);
                        step++;
                    }
                    assertEquals(25, step);
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Every public optimizer of org.trainer.optim (but the wrappers) has a row in the registry, and
     * every row a case in reference/param_groups.json.
     */
    @Test
    void everyOptimizerHasARowAndAReferenceCase() throws IOException, URISyntaxException {
        Set<Class<?>> registered = new HashSet<>();
        List<String> withoutCase = new ArrayList<>();
        for (OptimizerRegistry.Row<?> row : OptimizerRegistry.ROWS.values()) {
            registered.add(row.type());
            if (cases(row.name()).isEmpty()) {
                withoutCase.add(row.name());
            }
        }
        List<Class<?>> optimizers = ScheduleReferenceTest.publicClasses(Optimizer.class);
        assertTrue(optimizers.size() >= 6, "found only " + optimizers);
        List<String> missing = new ArrayList<>();
        for (Class<?> k : optimizers) {
            if (!registered.contains(k) && !WRAPPERS.contains(k)) {
                missing.add(k.getSimpleName());
            }
        }
        assertEquals(List.of(), missing, "optimizers without a row in OptimizerRegistry.ROWS (add one, and a case "
                + "to generate_param_groups.py)");
        assertEquals(List.of(), withoutCase, "registered optimizers without a case in reference/param_groups.json "
                + "(add one to generate_param_groups.py)");
    }
}
