package org.trainer.core.loss;

import static org.trainer.core.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.trainer.core.Fixtures;
import org.trainer.core.OpRegistry;
import org.trainer.core.Tensor;

/**
 * Replays the PyTorch 1.13 cases in {@code reference/losses/losses.json} (made by
 * {@code generate_losses.py} beside it): for every loss and option combination, the float32 value
 * and the gradient of sum(loss * upstream) with respect to the prediction (and to a floating target)
 * must match to 1e-5 relative. The cross-entropy rows pin down how class weights, label smoothing
 * and the weighted-mean divisor combine; the BCE rows include logits of +-50.
 */
class LossReferenceTest {

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        JsonNode root;
        try (InputStream in = LossReferenceTest.class.getResourceAsStream("/reference/losses/losses.json")) {
            assertNotNull(in, "reference/losses/losses.json is missing: run generate_losses.py");
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c)));
        }
        assertTrue(tests.size() >= 50, "expected the full fixture set, got " + tests.size());
        return tests.stream();
    }

    private static void replay(JsonNode c) {
        String name = c.get("name").asText();
        Tensor x = tensor(c.get("prediction")).requiresGrad(true);
        Tensor y = tensor(c.get("target"));
        boolean targetGrad = c.hasNonNull("gradTarget");
        if (targetGrad) {
            y.requiresGrad(true);
        }
        // The loss as the fixture's PyTorch call configured it, through its OpRegistry entry.
        Tensor out = OpRegistry.referenced("losses", c.get("loss").asText()).apply()
                .apply(new Tensor[] {x, y}, Fixtures.params(c.get("params")));
        assertClose(name + " value", tensor(c.get("output")), out);
        out.mul(tensor(c.get("upstream"))).sum().backward();
        assertNotNull(x.grad(), name + ": prediction received no gradient");
        assertClose(name + " d/dprediction", tensor(c.get("gradPrediction")), x.grad());
        if (targetGrad) {
            assertNotNull(y.grad(), name + ": target received no gradient");
            assertClose(name + " d/dtarget", tensor(c.get("gradTarget")), y.grad());
        }
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            // float32 rounding of values near zero (gradients of well-fitted samples) needs the absolute floor.
            double tol = 1e-6 + 1e-5 * Math.abs(e[i]);
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
        }
    }
}
