package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;

/**
 * Adam, AdamW, RMSprop and Adagrad against torch.optim trajectories (reference/generate_optimizers.py):
 * generate_sgd.py's non-convex problem, two parameter groups with their own learning rate and weight
 * decay, 25 steps per configuration. In float64 every parameter matches PyTorch to 1e-6 relative
 * after every step; in float32 (the fused float kernels) to 1e-3.
 */
class OptimizerReferenceTest {
    static final JsonNode ROOT = read();

    static JsonNode read() {
        try (InputStream in = OptimizerReferenceTest.class.getResourceAsStream("/reference/optimizers.json")) {
            assertNotNull(in, "reference/optimizers.json is missing");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The optimizer a configuration describes, over w1 (group 0) and w2 (group 1), with PyTorch's defaults. */
    static Optimizer create(String optimizer, JsonNode c, Parameter w1, Parameter w2) {
        return OptimizerRegistry.create(optimizer, List.of(List.of(w1), List.of(w2)), OptimizerRegistry.twoGroups(c));
    }

    /** One step of the reference problem: zero the gradients, the loss, backward, the update. */
    static void step(Optimizer opt, Tensor x, Tensor y, Parameter w1, Parameter w2) {
        opt.zeroGrad();
        Tensor w1v = w1.value();
        Tensor pred = x.matmul(w1v).tanh().matmul(w2.value().reshape(4, 1)).reshape(6);
        pred.sub(y).pow(2).mean().add(w1v.pow(3).sum().mul(0.1)).backward();
        opt.step();
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchStepForStepInFloat64() {
        return trajectories(DType.FLOAT64, 1e-6, 1e-12);
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchInFloat32() {
        return trajectories(DType.FLOAT32, 1e-3, 1e-4);
    }

    private Stream<DynamicTest> trajectories(DType dtype, double rel, double abs) {
        return trajectories(Device.CPU, dtype, rel, abs);
    }

    /** Every configuration's 25 steps on a device, compared with PyTorch after each step. */
    static Stream<DynamicTest> trajectories(Device device, DType dtype, double rel, double abs) {
        Tensor x = Tensor.fromArray(SgdTest.doubles(ROOT.get("x")), 6, 3).to(dtype).to(device);
        Tensor y = Tensor.fromArray(SgdTest.doubles(ROOT.get("y")), 6).to(dtype).to(device);
        List<DynamicTest> tests = new ArrayList<>();
        ROOT.get("optimizers").fields().forEachRemaining(e -> {
            assertEquals(true, e.getValue().size() >= 3, e.getKey() + " needs at least three configurations");
            for (JsonNode c : e.getValue()) {
                String name = e.getKey() + "." + c.get("name").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Parameter w1 = new Parameter(
                            Tensor.fromArray(SgdTest.doubles(ROOT.get("w1")), 3, 4).to(dtype).to(device));
                    Parameter w2 = new Parameter(Tensor.fromArray(SgdTest.doubles(ROOT.get("w2")), 4).to(dtype).to(device));
                    Optimizer opt = create(e.getKey(), c, w1, w2);
                    int step = 0;
                    for (JsonNode expected : c.get("steps")) {
                        step(opt, x, y, w1, w2);
                        assertClose(name + " step " + step + " w1", SgdTest.doubles(expected.get("w1")),
                                w1.value().toDoubleArray(), rel, abs);
                        assertClose(name + " step " + step + " w2", SgdTest.doubles(expected.get("w2")),
                                w2.value().toDoubleArray(), rel, abs);
                        step++;
                    }
                    assertEquals(25, step);
                }));
            }
        });
        return tests.stream();
    }

    static void assertClose(String what, double[] e, double[] a, double rel, double abs) {
        assertEquals(e.length, a.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= rel * Math.abs(e[i]) + abs)) {
                throw new AssertionError(what + "[" + i + "]: expected " + e[i] + " but was " + a[i]);
            }
        }
    }
}
