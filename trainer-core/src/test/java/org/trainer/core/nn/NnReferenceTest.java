package org.trainer.core.nn;

import static org.trainer.core.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/**
 * A model with every stateful layer, loaded from a PyTorch 1.13 state dict by PyTorch's names
 * (reference/nn/generate_nn.py): training-mode output, running statistics, parameter gradients and
 * evaluation-mode output must match.
 */
class NnReferenceTest {

    static final class Net extends Module {
        final Sequential features;
        final Sequential head;

        Net() {
            features = registerModule("features", new Sequential(
                    new Conv2d(2, 3, 3, 1, 1), new BatchNorm2d(3), new Activation.ReLU(), new MaxPool2d(2),
                    new Conv2d(3, 4, 3, 1, 1), new Activation.Tanh(), new AvgPool2d(2), new Flatten()));
            head = registerModule("head", new Sequential(new Linear(16, 6), new BatchNorm1d(6), new Activation.GELU(),
                    new LayerNorm(6), new Linear(6, 3)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(features.forward(x));
        }
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i] - a[i]) > tol * (1 + Math.abs(e[i]))) {
                throw new AssertionError(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
        }
    }

    @Test
    void matchesPyTorchByName() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/reference/nn/nn.json")) {
            assertNotNull(in, "reference/nn/nn.json is missing");
            root = new ObjectMapper().readTree(in);
        }
        Net net = new Net();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("state").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            state.put(e.getKey(), tensor(e.getValue()));
        }
        // PyTorch's state has every parameter and running statistic; num_batches_tracked was left out.
        Map<String, Tensor> ours = net.stateDict();
        ours.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
        assertEquals(ours.keySet(), state.keySet());
        net.loadStateDict(state, false);

        Tensor x = tensor(root.get("input"));
        net.train();
        Tensor out = net.forward(x);
        assertClose("train output", tensor(root.get("train_output")), out, 1e-4);
        out.mul(tensor(root.get("upstream"))).sum().backward();
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            assertClose("grad " + e.getKey(), tensor(root.get("grads").get(e.getKey())), e.getValue().grad(), 1e-3);
        }
        Map<String, Tensor> now = net.stateDict();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("running_after").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertClose(e.getKey(), tensor(e.getValue()), now.get(e.getKey()), 1e-5);
        }
        net.eval();
        assertClose("eval output", tensor(root.get("eval_output")), net.forward(x), 1e-4);
    }
}
