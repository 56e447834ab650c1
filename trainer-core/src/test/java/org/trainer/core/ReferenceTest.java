package org.trainer.core;

import static org.trainer.core.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the PyTorch 1.13 reference cases in {@code reference/ops.json} (made by
 * {@code generate_reference.py} beside it): forward values in float32 and the gradient of
 * sum(output * upstream) for every input. Each case's op is the {@link OpRegistry} entry whose
 * reference it is, applied with the case's params.
 */
class ReferenceTest {
    static JsonNode cases() throws IOException {
        try (InputStream in = ReferenceTest.class.getResourceAsStream("/reference/ops.json")) {
            assertNotNull(in, "reference/ops.json is missing: run generate_reference.py");
            return new ObjectMapper().readTree(in).get("cases");
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c)));
        }
        assertTrue(tests.size() > 100, "expected the full fixture set, got " + tests.size());
        return tests.stream();
    }

    private static void replay(JsonNode c) {
        OpRegistry.Op op = OpRegistry.referenced("ops", c.get("op").asText());
        JsonNode ins = c.get("inputs");
        boolean grads = c.has("grads");
        Tensor[] x = new Tensor[ins.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = tensor(ins.get(i));
            if (grads && x[i].dtype().isFloating()) {
                x[i].requiresGrad(true);
            }
        }
        Tensor out = op.apply().apply(x, Fixtures.params(c.get("params")));
        Tensor expected = tensor(c.get("output"));
        String name = c.get("name").asText();
        assertClose(name + " output", expected, out);
        if (!grads) {
            return;
        }
        out.mul(tensor(c.get("upstream"))).sum().backward();
        for (int i = 0; i < x.length; i++) {
            JsonNode g = c.get("grads").get(i);
            if (g == null || g.isNull()) {
                continue;
            }
            assertNotNull(x[i].grad(), name + ": input " + i + " received no gradient");
            assertClose(name + " grad " + i, tensor(g), x[i].grad());
        }
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double tol = 1e-5 + 2e-5 * Math.abs(e[i]);
            if (Math.abs(e[i] - a[i]) > tol) {
                throw new AssertionError(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
        }
    }
}
