package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.trainer.core.Fixtures.tensor64;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * RNN, LSTM (with and without projections) and GRU against PyTorch 1.13 in float64
 * (reference/recurrent/generate_recurrent.py):
 * for each case the layer loads PyTorch's state dict by name and must give PyTorch's output, final
 * states, and gradients of every parameter, the input and the initial states, each element within
 * 1e-9 relative (|actual - expected| <= 1e-9 |expected| + 1e-12, the floor for values that cancel
 * to about zero).
 */
class RecurrentReferenceTest {
    private static final Logger LOG = LoggerFactory.getLogger(RecurrentReferenceTest.class);
    static final double RTOL = 1e-9;
    static final double ATOL = 1e-12;
    /** The largest relative error seen per layer kind, reported after the run. */
    private static final Map<String, Double> WORST = new TreeMap<>();

    static JsonNode load(String resource) throws IOException {
        try (InputStream in = RecurrentReferenceTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is missing");
            // The attention fixtures hold -Infinity (float masks), which JSON proper cannot spell.
            return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(in);
        }
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() throws IOException {
        JsonNode cases = load("/reference/recurrent/recurrent.json").get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
        }
        assertEquals(13, tests.size(), "cases in recurrent.json");
        return tests;
    }

    static RecurrentLayer build(JsonNode c) {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(c.get("num_layers").asInt())
                .withBias(c.get("bias").asBoolean()).withBatchFirst(c.get("batch_first").asBoolean())
                .withBidirectional(c.get("bidirectional").asBoolean());
        int in = c.get("input_size").asInt();
        int hidden = c.get("hidden_size").asInt();
        return switch (c.get("kind").asText()) {
            case "RNN" -> new RNN(in, hidden, "relu".equals(c.get("nonlinearity").asText()) ? RNN.Nonlinearity.RELU
                    : RNN.Nonlinearity.TANH, o, 1);
            case "LSTM" -> new LSTM(in, hidden, c.path("proj_size").asInt(0), o, 1);
            case "GRU" -> new GRU(in, hidden, o, 1);
            default -> throw new IllegalArgumentException("unknown kind " + c.get("kind"));
        };
    }

    static Map<String, Tensor> state(JsonNode node) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            state.put(e.getKey(), tensor64(e.getValue()));
        }
        return state;
    }

    private static void check(String name, JsonNode c) {
        RecurrentLayer layer = build(c);
        layer.to(DType.FLOAT64);
        Map<String, Tensor> state = state(c.get("state"));
        // Same names in the same order as PyTorch's state dict.
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(layer.stateDict().keySet()), name + ": names");
        layer.loadStateDict(state, true);

        Tensor x = tensor64(c.get("input")).requiresGrad(true);
        Tensor lengths = c.has("lengths") ? tensor64(c.get("lengths")) : null;
        Tensor h0 = c.has("h0") ? tensor64(c.get("h0")).requiresGrad(true) : null;
        Tensor c0 = c.has("c0") ? tensor64(c.get("c0")).requiresGrad(true) : null;
        RecurrentState initial = h0 == null ? null : new RecurrentState(h0, c0);
        RecurrentOutput out = layer.forward(x, lengths, initial);

        String kind = c.get("kind").asText();
        compare(kind, name + " output", tensor64(c.get("output")), out.output());
        compare(kind, name + " h_n", tensor64(c.get("h_n")), out.h());
        Tensor loss = out.output().mul(tensor64(c.get("u_output"))).sum().add(out.h().mul(tensor64(c.get("u_h"))).sum());
        if (c.has("c_n")) {
            compare(kind, name + " c_n", tensor64(c.get("c_n")), out.c());
            loss = loss.add(out.c().mul(tensor64(c.get("u_c"))).sum());
        } else {
            assertNull(out.c(), name + ": c_n of a layer without a cell state");
        }
        loss.backward();
        for (Map.Entry<String, Parameter> e : layer.namedParameters().entrySet()) {
            compare(kind, name + " grad " + e.getKey(), tensor64(c.get("grads").get(e.getKey())), e.getValue().grad());
        }
        compare(kind, name + " grad input", tensor64(c.get("grad_input")), x.grad());
        if (h0 != null) {
            compare(kind, name + " grad h0", tensor64(c.get("grad_h0")), h0.grad());
        }
        if (c0 != null) {
            compare(kind, name + " grad c0", tensor64(c.get("grad_c0")), c0.grad());
        }
    }

    /** Fails on the first element off by more than RTOL relative; records the worst relative error. */
    static void compare(String kind, String what, Tensor expected, Tensor actual) {
        assertNotNull(actual, what + ": missing");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(DType.FLOAT64, actual.dtype(), what + ": dtype");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(a[i] - e[i]);
            if (!(diff <= RTOL * Math.abs(e[i]) + ATOL)) {
                throw new AssertionError(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
            if (Math.abs(e[i]) > 1e-6) {
                worst = Math.max(worst, diff / Math.abs(e[i]));
            }
        }
        synchronized (WORST) {
            WORST.merge(kind, worst, Math::max);
        }
    }

    @AfterAll
    static void report() {
        logWorst(LOG);
    }

    /** Logs the largest relative error seen so far per layer kind. */
    static void logWorst(Logger log) {
        synchronized (WORST) {
            log.info("largest relative error against PyTorch (elements with |expected| > 1e-6): {}", WORST);
        }
    }
}
