package org.trainer.core;

import static org.trainer.core.Fixtures.ints;
import static org.trainer.core.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the PyTorch 1.13 reference cases in {@code reference/ops.json} (made by
 * {@code generate_reference.py} beside it): forward values in float32 and the gradient of
 * sum(output * upstream) for every input.
 */
class ReferenceTest {
    private static final Map<String, BiFunction<Tensor[], JsonNode, Tensor>> OPS = new HashMap<>();

    static {
        OPS.put("add", (x, p) -> x[0].add(x[1]));
        OPS.put("sub", (x, p) -> x[0].sub(x[1]));
        OPS.put("mul", (x, p) -> x[0].mul(x[1]));
        OPS.put("div", (x, p) -> x[0].div(x[1]));
        OPS.put("maximum", (x, p) -> x[0].maximum(x[1]));
        OPS.put("minimum", (x, p) -> x[0].minimum(x[1]));
        OPS.put("pow", (x, p) -> x[0].pow(x[1]));
        OPS.put("powScalar", (x, p) -> x[0].pow(p.get("p").asDouble()));
        OPS.put("addScalar", (x, p) -> x[0].add(p.get("v").asDouble()));
        OPS.put("mulScalar", (x, p) -> x[0].mul(p.get("v").asDouble()));
        OPS.put("neg", (x, p) -> x[0].neg());
        OPS.put("exp", (x, p) -> x[0].exp());
        OPS.put("log", (x, p) -> x[0].log());
        OPS.put("sqrt", (x, p) -> x[0].sqrt());
        OPS.put("abs", (x, p) -> x[0].abs());
        OPS.put("reciprocal", (x, p) -> x[0].reciprocal());
        OPS.put("relu", (x, p) -> x[0].relu());
        OPS.put("sigmoid", (x, p) -> x[0].sigmoid());
        OPS.put("tanh", (x, p) -> x[0].tanh());
        OPS.put("gelu", (x, p) -> x[0].gelu());
        OPS.put("softplus", (x, p) -> x[0].softplus());
        OPS.put("leakyRelu", (x, p) -> x[0].leakyRelu(p.get("slope").asDouble()));
        OPS.put("clamp", (x, p) -> x[0].clamp(p.get("min").asDouble(), p.get("max").asDouble()));
        OPS.put("softmax", (x, p) -> x[0].softmax(p.get("axis").asInt()));
        OPS.put("logSoftmax", (x, p) -> x[0].logSoftmax(p.get("axis").asInt()));
        OPS.put("sum", (x, p) -> x[0].sum(ints(p.get("axes")), p.get("keep").asBoolean()));
        OPS.put("mean", (x, p) -> x[0].mean(ints(p.get("axes")), p.get("keep").asBoolean()));
        OPS.put("var", (x, p) -> x[0].var(ints(p.get("axes")), p.get("keep").asBoolean()));
        OPS.put("std", (x, p) -> x[0].std(ints(p.get("axes")), p.get("keep").asBoolean()));
        OPS.put("max", (x, p) -> x[0].max(p.get("axis").asInt(), p.get("keep").asBoolean()));
        OPS.put("min", (x, p) -> x[0].min(p.get("axis").asInt(), p.get("keep").asBoolean()));
        OPS.put("argmax", (x, p) -> x[0].argmax(p.get("axis").asInt(), p.get("keep").asBoolean()));
        OPS.put("argmin", (x, p) -> x[0].argmin(p.get("axis").asInt(), p.get("keep").asBoolean()));
        OPS.put("sumAll", (x, p) -> x[0].sum());
        OPS.put("meanAll", (x, p) -> x[0].mean());
        OPS.put("matmul", (x, p) -> x[0].matmul(x[1]));
        OPS.put("linear", (x, p) -> x[0].linear(x[1], x.length > 2 ? x[2] : null));
        OPS.put("conv2d", (x, p) -> x[0].conv2d(x[1], x.length > 2 ? x[2] : null, ints(p.get("stride")),
                ints(p.get("padding")), ints(p.get("dilation"))));
        OPS.put("maxPool2d", (x, p) -> x[0].maxPool2d(p.get("k").asInt(), p.get("s").asInt(), p.get("p").asInt()));
        OPS.put("avgPool2d", (x, p) -> x[0].avgPool2d(p.get("k").asInt(), p.get("s").asInt(), p.get("p").asInt()));
        OPS.put("indexSelect", (x, p) -> x[0].indexSelect(p.get("axis").asInt(), x[1]));
        OPS.put("where", (x, p) -> Tensor.where(x[0], x[1], x[2]));
        OPS.put("eq", (x, p) -> x[0].eq(x[1]));
        OPS.put("ne", (x, p) -> x[0].ne(x[1]));
        OPS.put("lt", (x, p) -> x[0].lt(x[1]));
        OPS.put("le", (x, p) -> x[0].le(x[1]));
        OPS.put("gt", (x, p) -> x[0].gt(x[1]));
        OPS.put("ge", (x, p) -> x[0].ge(x[1]));
        OPS.put("reshape", (x, p) -> x[0].reshape(ints(p.get("shape"))));
        OPS.put("permute", (x, p) -> x[0].permute(ints(p.get("perm"))));
        OPS.put("transpose", (x, p) -> x[0].transpose(p.get("a").asInt(), p.get("b").asInt()));
        OPS.put("narrow", (x, p) -> x[0].narrow(p.get("axis").asInt(), p.get("start").asInt(), p.get("length").asInt()));
        OPS.put("concat", (x, p) -> Tensor.concat(p.get("axis").asInt(), x));
        OPS.put("stack", (x, p) -> Tensor.stack(p.get("axis").asInt(), x));
        OPS.put("broadcastTo", (x, p) -> x[0].broadcastTo(ints(p.get("shape"))));
        OPS.put("unsqueeze", (x, p) -> x[0].unsqueeze(p.get("axis").asInt()));
        OPS.put("squeeze", (x, p) -> x[0].squeeze());
        OPS.put("flatten", (x, p) -> x[0].flatten(p.get("start").asInt(), p.get("end").asInt()));
    }

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
        BiFunction<Tensor[], JsonNode, Tensor> op = OPS.get(c.get("op").asText());
        assertNotNull(op, "no Java op for fixture op " + c.get("op").asText());
        JsonNode ins = c.get("inputs");
        boolean grads = c.has("grads");
        Tensor[] x = new Tensor[ins.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = tensor(ins.get(i));
            if (grads && x[i].dtype().isFloating()) {
                x[i].requiresGrad(true);
            }
        }
        Tensor out = op.apply(x, c.get("params"));
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
