package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.trainer.core.Fixtures.tensor64;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * TransformerEncoder (two TransformerEncoderLayers, d_model 12, 3 heads, feed-forward 20) against
 * PyTorch 1.13 in float64, evaluation mode (reference/transformer/generate_transformer.py):
 * post-norm and pre-norm, ReLU and GELU, with a key padding mask, a causal mask or both, with and
 * without a final norm, for x [3, 5, 12]. The stack loads PyTorch's state dict strictly by name;
 * the output and the gradients of every parameter and of the input match to 1e-9 relative.
 */
class TransformerReferenceTest {
    private static final String KIND = "TransformerEncoder";

    static JsonNode fixture() throws IOException {
        return RecurrentReferenceTest.load("/reference/transformer/transformer.json");
    }

    static TransformerEncoder build(boolean normFirst, TransformerEncoderLayer.FeedForwardActivation activation,
                                    boolean finalNorm) {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(12, 3, 20, 0.1, activation, normFirst, 1e-5, 1);
        return new TransformerEncoder(layer, 2, finalNorm ? new LayerNorm(12) : null);
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() throws IOException {
        JsonNode cases = fixture().get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
        }
        assertEquals(4, tests.size());
        return tests;
    }

    private static void check(String name, JsonNode c) {
        TransformerEncoder encoder = build(c.get("norm_first").asBoolean(),
                TransformerEncoderLayer.FeedForwardActivation.valueOf(c.get("activation").asText().toUpperCase()),
                c.get("final_norm").asBoolean());
        encoder.to(DType.FLOAT64);
        encoder.eval();
        var state = RecurrentReferenceTest.state(c.get("state"));
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(encoder.stateDict().keySet()), name + ": names");
        encoder.loadStateDict(state, true);

        Tensor x = tensor64(c.get("input")).requiresGrad(true);
        Tensor kpm = c.has("key_padding_mask") ? tensor64(c.get("key_padding_mask")) : null;
        Tensor mask = c.has("mask") ? tensor64(c.get("mask")) : null;
        Tensor out = encoder.forward(x, mask, kpm);
        RecurrentReferenceTest.compare(KIND, name + " output", tensor64(c.get("output")), out);
        out.mul(tensor64(c.get("u"))).sum().backward();
        for (var e : encoder.namedParameters().entrySet()) {
            RecurrentReferenceTest.compare(KIND, name + " grad " + e.getKey(), tensor64(c.get("grads").get(e.getKey())),
                    e.getValue().grad());
        }
        RecurrentReferenceTest.compare(KIND, name + " grad input", tensor64(c.get("grad_input")), x.grad());
    }

    @AfterAll
    static void report() {
        RecurrentReferenceTest.logWorst(LoggerFactory.getLogger(TransformerReferenceTest.class));
    }
}
