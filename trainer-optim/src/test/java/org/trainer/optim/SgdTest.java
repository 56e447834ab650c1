package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;

/** SGD against torch.optim.SGD trajectories (reference/generate_sgd.py), float64, 25 steps, two groups. */
class SgdTest {

    static double[] doubles(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchStepForStep() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/reference/sgd.json")) {
            assertNotNull(in, "reference/sgd.json is missing");
            root = new ObjectMapper().readTree(in);
        }
        Tensor x = Tensor.fromArray(doubles(root.get("x")), 6, 3);
        Tensor y = Tensor.fromArray(doubles(root.get("y")), 6);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("configs")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Parameter w1 = new Parameter(Tensor.fromArray(doubles(root.get("w1")), 3, 4));
                Parameter w2 = new Parameter(Tensor.fromArray(doubles(root.get("w2")), 4));
                Optimizer opt = OptimizerReferenceTest.create("SGD", c, w1, w2);
                int step = 0;
                for (JsonNode expected : c.get("steps")) {
                    opt.zeroGrad();
                    Tensor w1v = w1.value();
                    Tensor pred = x.matmul(w1v).tanh().matmul(w2.value().reshape(4, 1)).reshape(6);
                    pred.sub(y).pow(2).mean().add(w1v.pow(3).sum().mul(0.1)).backward();
                    opt.step();
                    assertClose(c.get("name").asText() + " step " + step + " w1", doubles(expected.get("w1")),
                            w1.value().toDoubleArray());
                    assertClose(c.get("name").asText() + " step " + step + " w2", doubles(expected.get("w2")),
                            w2.value().toDoubleArray());
                    step++;
                }
                assertEquals(25, step);
            }));
        }
        return tests.stream();
    }

    static void assertClose(String what, double[] e, double[] a) {
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i] - a[i]) > 1e-6 * Math.abs(e[i]) + 1e-12) {
                throw new AssertionError(what + "[" + i + "]: expected " + e[i] + " but was " + a[i]);
            }
        }
    }

    @Test
    void argumentsAreValidatedWithTheirNames() {
        List<Parameter> ps = List.of(new Parameter(Tensor.zeros(2)));
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -0.1));
        assertEquals("ParameterGroup: learningRate must be a finite value >= 0, got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, SGD.options(0.1).withMomentum(-1)));
        assertEquals("SGD: momentum must be a finite value >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(ps, SGD.options(0.1).withNesterov(true)));
        assertTrue(e.getMessage().startsWith("SGD: nesterov needs momentum > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(
                OptimizerGroup.of(ps, SGD.options(0.1).withMomentum(0.9).withNesterov(true)),
                OptimizerGroup.of(List.of(new Parameter(Tensor.zeros(2))),
                        SGD.options(0.1).withMomentum(0.9).withDampening(0.1).withNesterov(true)))));
        assertEquals("SGD: nesterov needs momentum > 0 and dampening 0, got momentum=0.9, dampening=0.1 (group 1)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SGD.options(-0.1));
        assertEquals("SGD: lr must be a finite value >= 0, got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SGD.options(0.1).withDampening(1.5));
        assertEquals("SGD: dampening must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    void frozenParametersAndMissingGradientsAreSkipped() {
        Parameter a = new Parameter(Tensor.ones(2));
        Parameter b = new Parameter(Tensor.ones(2));
        b.setTrainable(false);
        SGD opt = new SGD(List.of(a, b), 0.5);
        opt.step();
        assertEquals(2.0, a.value().sum().item());
        a.value().mul(b.value()).sum().backward();
        opt.step();
        assertEquals(1.0, a.value().sum().item());
        assertEquals(2.0, b.value().sum().item());
    }
}
