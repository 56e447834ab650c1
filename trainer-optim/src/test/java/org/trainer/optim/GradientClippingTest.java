package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;

/**
 * Clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (reference/generate_clipping.py):
 * norms 1, 2, 3 and inf, clipping and not, float64 and float32; the optimizer wrapper; the checks.
 */
class GradientClippingTest {

    /** Parameters whose gradients are exactly {@code grads}: the gradient of sum(w * G) is G. */
    static List<Parameter> withGradients(JsonNode shapes, JsonNode grads, DType dtype) {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            int[] shape = new int[shapes.get(i).size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = shapes.get(i).get(k).asInt();
            }
            Tensor g = Tensor.fromArray(SgdTest.doubles(grads.get(i)), shape).to(dtype);
            Parameter p = new Parameter(Tensor.zeros(dtype, shape));
            p.value().mul(g).sum().backward();
            ps.add(p);
        }
        ps.add(new Parameter(Tensor.zeros(dtype, 2)));  // no gradient: left out, as torch does
        return ps;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/reference/clipping.json")) {
            assertNotNull(in, "reference/clipping.json is missing");
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("configs")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                boolean f32 = c.has("float32");
                double tol = f32 ? 1e-6 : 1e-12;
                List<Parameter> ps = withGradients(root.get("shapes"), root.get("grads"),
                        f32 ? DType.FLOAT32 : DType.FLOAT64);
                if (c.get("kind").asText().equals("norm")) {
                    double p = c.get("normType").isTextual() ? Double.POSITIVE_INFINITY
                            : c.get("normType").asDouble();
                    double total = GradientClipping.clipGradNorm(ps, c.get("maxNorm").asDouble(), p);
                    double expected = c.get("total").asDouble();
                    assertEquals(expected, total, tol * expected, name + " total norm");
                } else {
                    GradientClipping.clipGradValue(ps, c.get("clipValue").asDouble());
                }
                for (int i = 0; i < 3; i++) {
                    double[] e = SgdTest.doubles(c.get("after").get(i));
                    double[] a = ps.get(i).grad().toDoubleArray();
                    for (int k = 0; k < e.length; k++) {
                        if (!(Math.abs(e[k] - a[k]) <= tol * Math.abs(e[k]) + 1e-300)) {
                            throw new AssertionError(name + " grad " + i + "[" + k + "]: expected " + e[k] + " but was "
                                    + a[k]);
                        }
                    }
                }
                assertEquals(null, ps.get(3).grad());
            }));
        }
        return tests.stream();
    }

    @Test
    void asAnOptimizerItClipsBeforeEachStepAndRemembersTheNorm() {
        Parameter w = new Parameter(Tensor.fromArray(new double[] {0, 0}, 2));
        GradientClipping opt = GradientClipping.byNorm(new SGD(List.of(w), 1.0), 1.0);
        assertTrue(Double.isNaN(opt.lastNorm()));
        opt.zeroGrad();
        w.value().mul(Tensor.fromArray(new double[] {3, 4}, 2)).sum().backward();
        opt.step();
        assertEquals(5.0, opt.lastNorm(), 1e-12);
        // The gradient (3, 4) was scaled to norm 1 / (1 + 2e-7) before SGD's step.
        assertArrayEquals(new double[] {-0.6, -0.8}, w.value().toDoubleArray(), 1e-6);
        assertEquals(1, opt.groups().size());

        Parameter v = new Parameter(Tensor.fromArray(new double[] {0, 0}, 2));
        GradientClipping byValue = GradientClipping.byValue(new SGD(List.of(v), 1.0), 0.5);
        v.value().mul(Tensor.fromArray(new double[] {-3, 0.25}, 2)).sum().backward();
        byValue.step();
        assertEquals(Math.sqrt(9.0625), byValue.lastNorm(), 1e-12);
        assertArrayEquals(new double[] {0.5, -0.25}, v.value().toDoubleArray(), 1e-15);
    }

    @Test
    void theTrainerStepsThroughTheWrapper() {
        Seeds.set(4);
        Sequential model = new Sequential(new Linear(64, 32), new Activation.ReLU(), new Linear(32, 10));
        GradientClipping opt = GradientClipping.byNorm(new SGD(model.parameters(), SGD.options(0.1).withMomentum(0.9)), 0.5);
        List<Double> norms = new ArrayList<>();
        Callback monitor = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                norms.add(((GradientClipping) ctx.optimizer()).lastNorm());
            }
        };
        DataLoader train = DataLoader.builder(Digits.load()).batchSize(64).shuffle(true).seed(1).build();
        History h = new Trainer().callbacks(monitor).schedule(new CosineSchedule(2))
                .fit(model, new CrossEntropyLoss(), opt, train, null, 2);
        assertEquals(2 * train.batchesPerEpoch(), norms.size());
        assertTrue(norms.stream().allMatch(n -> n > 0 && Double.isFinite(n)), norms.toString());
        assertTrue(norms.stream().anyMatch(n -> n > 0.5), "some step should have been clipped: " + norms);
        assertTrue(h.last("loss") < h.get("loss").get(0), h.toString());
        assertEquals(List.of(0.1, 0.05), h.get("lr"));
    }

    @Test
    void frozenParametersAndEmptyListsAreLeftAlone() {
        Parameter w = new Parameter(Tensor.fromArray(new double[] {0, 0}, 2));
        w.value().mul(Tensor.fromArray(new double[] {30, 40}, 2)).sum().backward();
        w.setTrainable(false);
        assertEquals(0, GradientClipping.clipGradNorm(List.of(w), 1));
        assertArrayEquals(new double[] {30, 40}, w.grad().toDoubleArray());
        assertEquals(0, GradientClipping.clipGradNorm(List.of(), 1));
    }

    @Test
    void nonFiniteNormsScaleAsTorchOrThrowWhenAsked() {
        Parameter w = new Parameter(Tensor.fromArray(new double[] {0, 0}, 2));
        w.value().mul(Tensor.fromArray(new double[] {Double.POSITIVE_INFINITY, 1}, 2)).sum().backward();
        var e = assertThrows(ArithmeticException.class, () -> GradientClipping.clipGradNorm(List.of(w), 1, 2, true));
        assertEquals("clipGradNorm: the total norm of order 2.0 of the gradients is Infinity, so it cannot be clipped",
                e.getMessage());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 1}, w.grad().toDoubleArray());
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGradNorm(List.of(w), 1));
        double[] g = w.grad().toDoubleArray();
        assertTrue(Double.isNaN(g[0]) && g[1] == 0, java.util.Arrays.toString(g));  // inf * 0 and 1 * 0, as torch
    }

    @Test
    void argumentsAreValidatedWithTheirNames() {
        List<Parameter> ps = List.of(new Parameter(Tensor.zeros(2)));
        assertEquals("GradientClipping: maxNorm must be a finite value >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNorm(ps, -1)).getMessage());
        assertEquals("GradientClipping: normType must be > 0 (or infinity), got 0.0",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNorm(ps, 1, 0))
                        .getMessage());
        assertEquals("GradientClipping: clipValue must be a finite value >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradValue(ps, Double.NaN))
                        .getMessage());
        assertEquals("GradientClipping: maxNorm must be a finite value >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class,
                        () -> GradientClipping.byNorm(new SGD(ps, 0.1), Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("GradientClipping: optimizer must not be null",
                assertThrows(NullPointerException.class, () -> GradientClipping.byValue(null, 1)).getMessage());
    }
}
