package org.trainer.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.Fixtures.tensor64;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * Cross-entropy over [N, T, C] logits and [N, T] labels with an ignored label, against PyTorch 1.13
 * in float64 (reference/recurrent/generate_recurrent.py, sequence.json): each reduction, class
 * weights, label smoothing, and an ignored index that is also a class. Loss and the logits'
 * gradient match to 1e-9 relative; the same holds for labels handed over as if on a device (the
 * path that never copies labels to the host).
 */
class SequenceCrossEntropyTest {
    private static JsonNode root() throws Exception {
        try (InputStream in = SequenceCrossEntropyTest.class.getResourceAsStream(
                "/reference/recurrent/sequence.json")) {
            assertNotNull(in, "reference/recurrent/sequence.json is missing");
            return new ObjectMapper().readTree(in).get("cross_entropy");
        }
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() throws Exception {
        JsonNode root = root();
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("cases").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), root, e.getValue(), false)));
            tests.add(DynamicTest.dynamicTest(e.getKey() + " (labels on device path)",
                    () -> check(e.getKey(), root, e.getValue(), true)));
        }
        assertEquals(14, tests.size());
        return tests;
    }

    private static CrossEntropyLoss loss(JsonNode root, JsonNode c) {
        CrossEntropyLoss loss = new CrossEntropyLoss().withReduction(Reduction.valueOf(c.get("reduction").asText()
                .toUpperCase())).withIgnoreIndex(c.get("ignore_index").asInt())
                .withLabelSmoothing(c.get("label_smoothing").asDouble());
        if (c.get("weights").asBoolean()) {
            double[] w = tensor64(root.get("weights")).toDoubleArray();
            float[] f = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                f[i] = (float) w[i];
            }
            loss = loss.withWeights(f);
        }
        return loss;
    }

    private static void check(String name, JsonNode root, JsonNode c, boolean devicePath) {
        CrossEntropyLoss loss = loss(root, c);
        Tensor logits = tensor64(root.get("logits")).requiresGrad(true);
        Tensor labels = tensor64(c.get("labels"));
        Tensor value;
        if (devicePath) {
            int[] s = logits.shape();
            value = loss.labelsOnDevice(logits.reshape(s[0] * s[1], s[2]).logSoftmax(1), labels.reshape(-1), s[2]);
            if (loss.reduction() == Reduction.NONE) {
                value = value.reshape(s[0], s[1]);
            }
        } else {
            value = loss.compute(logits, labels);
        }
        compare(name + " loss", tensor64(c.get("loss")), value);
        Tensor upstream = tensor64(root.get("upstream"));
        (loss.reduction() == Reduction.NONE ? value.mul(upstream) : value).sum().backward();
        compare(name + " grad", tensor64(c.get("grad_logits")), logits.grad());
    }

    static void compare(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= 1e-9 * Math.abs(e[i]) + 1e-12)) {
                throw new AssertionError(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
        }
    }

    @Test
    void everyLabelIgnoredGivesNaNMeanAsPyTorch() {
        Tensor logits = Tensor.randn(1, 2, 3, 4).to(DType.FLOAT64);
        Tensor labels = Tensor.fromArray(new int[] {-1, -1, -1, -1, -1, -1}, 2, 3);
        assertTrue(Double.isNaN(new CrossEntropyLoss().withIgnoreIndex(-1).compute(logits, labels).item()));
        assertEquals(0.0, new CrossEntropyLoss().withIgnoreIndex(-1).withReduction(Reduction.SUM)
                .compute(logits, labels).item());
    }

    @Test
    void errorsNameTheValue() {
        Tensor logits = Tensor.randn(1, 2, 3, 4);
        String m = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().withIgnoreIndex(-100)
                .compute(logits, Tensor.fromArray(new int[] {0, -100, 4, 1, 2, 3}, 2, 3))).getMessage();
        assertEquals("CrossEntropyLoss: label at position 2 is 4, expected a class in [0, 4) or the ignore index -100",
                m);
        m = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss()
                .compute(logits, Tensor.fromArray(new int[] {0, 1, 2}, 3))).getMessage();
        assertEquals("CrossEntropyLoss: target of shape [3] and dtype INT32 does not fit logits of shape [2, 3, 4] "
                + "(expected INT32 labels of shape [2, 3] or probabilities of shape [2, 3, 4])", m);
        assertTrue(new CrossEntropyLoss().withIgnoreIndex(-100).withoutIgnoreIndex().ignoreIndex().isEmpty());
        assertEquals(-100, new CrossEntropyLoss().withIgnoreIndex(-100).withWeights(new float[] {1, 1, 1, 1})
                .ignoreIndex().getAsInt());
    }
}
