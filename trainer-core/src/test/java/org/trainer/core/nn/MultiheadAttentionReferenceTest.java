package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.Fixtures.tensor64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;
import org.trainer.core.GradientCheck;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;

/**
 * MultiheadAttention against PyTorch 1.13 in float64 (reference/attention/generate_attention.py):
 * self- and cross-attention, key padding masks, causal and per-head masks (bool as INT32, and
 * float), weights averaged or per head, with and without biases, keys and values of other widths
 * than the model's (kdim, vdim: separate projection weights). Output, weights and the gradients
 * of every parameter and of query, key and value match to 1e-9 relative. Plus a finite-difference
 * check through masks, and the argument errors.
 */
class MultiheadAttentionReferenceTest {

    @TestFactory
    List<DynamicTest> matchesPyTorch() throws IOException {
        JsonNode cases = RecurrentReferenceTest.load("/reference/attention/attention.json").get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
        }
        assertEquals(9, tests.size());
        return tests;
    }

    private static void check(String name, JsonNode c) {
        MultiheadAttention mha = new MultiheadAttention(6, c.get("heads").asInt(), 0, c.get("bias").asBoolean(),
                c.path("kdim").asInt(6), c.path("vdim").asInt(6), 1);
        mha.to(DType.FLOAT64);
        var state = RecurrentReferenceTest.state(c.get("state"));
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(mha.stateDict().keySet()), name + ": names");
        mha.loadStateDict(state, true);
        Tensor q = tensor64(c.get("query")).requiresGrad(true);
        boolean self = c.get("self_attention").asBoolean();
        Tensor k = self ? q : tensor64(c.get("key")).requiresGrad(true);
        Tensor v = self ? q : tensor64(c.get("value")).requiresGrad(true);
        Tensor kpm = c.has("key_padding_mask") ? tensor64(c.get("key_padding_mask")) : null;
        Tensor am = c.has("attn_mask") ? tensor64(c.get("attn_mask")) : null;
        AttentionOutput out = mha.forward(q, k, v, kpm, am, true, c.get("average").asBoolean());
        RecurrentReferenceTest.compare("MultiheadAttention", name + " output", tensor64(c.get("output")), out.output());
        RecurrentReferenceTest.compare("MultiheadAttention", name + " weights", tensor64(c.get("weights")),
                out.weights());
        out.output().mul(tensor64(c.get("u_output"))).sum().add(out.weights().mul(tensor64(c.get("u_weights"))).sum())
                .backward();
        for (var e : mha.namedParameters().entrySet()) {
            RecurrentReferenceTest.compare("MultiheadAttention", name + " grad " + e.getKey(),
                    tensor64(c.get("grads").get(e.getKey())), e.getValue().grad());
        }
        RecurrentReferenceTest.compare("MultiheadAttention", name + " grad query", tensor64(c.get("grad_query")),
                q.grad());
        if (!self) {
            RecurrentReferenceTest.compare("MultiheadAttention", name + " grad key", tensor64(c.get("grad_key")),
                    k.grad());
            RecurrentReferenceTest.compare("MultiheadAttention", name + " grad value", tensor64(c.get("grad_value")),
                    v.grad());
        }
    }

    @AfterAll
    static void report() {
        RecurrentReferenceTest.logWorst(LoggerFactory.getLogger(MultiheadAttentionReferenceTest.class));
    }

    @Test
    void gradientsMatchFiniteDifferencesThroughMasks() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, 3);
        mha.to(DType.FLOAT64);
        Tensor kpm = Tensor.fromArray(new int[] {0, 0, 0, 1, 1, 0, 0, 0}, 2, 4);
        Tensor causal = MultiheadAttention.causalMask(4);
        Tensor[] x = {Tensor.random(DType.FLOAT64, true, 0, 1, 1, 2, 4, 4),
                Tensor.random(DType.FLOAT64, true, 0, 1, 2, 2, 4, 4), Tensor.random(DType.FLOAT64, true, 0, 1, 3, 2, 4, 4)};
        GradientCheck.assertMatches("MultiheadAttention", t -> {
            AttentionOutput o = mha.forward(t[0], t[1], t[2], kpm, causal, true, false);
            return Tensor.concat(0, o.output().flatten(), o.weights().flatten());
        }, x, 1e-6, 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithKdimAndVdim() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, 3, 5, 4);
        mha.to(DType.FLOAT64);
        Tensor kpm = Tensor.fromArray(new int[] {0, 0, 1, 0, 0, 0}, 2, 3);
        Tensor[] x = {Tensor.random(DType.FLOAT64, true, 0, 1, 1, 2, 4, 4),
                Tensor.random(DType.FLOAT64, true, 0, 1, 2, 2, 3, 3), Tensor.random(DType.FLOAT64, true, 0, 1, 3, 2, 3, 5)};
        GradientCheck.assertMatches("MultiheadAttention kdim vdim", t -> {
            AttentionOutput o = mha.forward(t[0], t[1], t[2], kpm, null, true, true);
            return Tensor.concat(0, o.output().flatten(), o.weights().flatten());
        }, x, 1e-6, 1e-6);
    }

    /**
     * mha_kdim_vdim.safetensors, written from PyTorch's nn.MultiheadAttention(6, 2, kdim=4, vdim=5)
     * (float32), loads strictly by name and gives PyTorch's float64 output and weights; the file the
     * library writes back holds the same names, shapes and bytes.
     */
    @Test
    void pyTorchsKdimVdimFileLoadsAndWritesBack() throws Exception {
        Path file = Path.of(getClass().getResource("/reference/attention/mha_kdim_vdim.safetensors").toURI());
        JsonNode ref = RecurrentReferenceTest.load("/reference/attention/mha_kdim_vdim_safetensors.json");
        MultiheadAttention mha = new MultiheadAttention(6, 2, 0, true, 4, 5, 1);
        Safetensors.load(mha, file);
        mha.to(DType.FLOAT64);
        AttentionOutput o = mha.forward(tensor64(ref.get("query")), tensor64(ref.get("key")),
                tensor64(ref.get("value")), tensor64(ref.get("key_padding_mask")), null, true, true);
        RecurrentReferenceTest.compare("MultiheadAttention", "safetensors output", tensor64(ref.get("output")),
                o.output());
        RecurrentReferenceTest.compare("MultiheadAttention", "safetensors weights", tensor64(ref.get("weights")),
                o.weights());

        mha.to(DType.FLOAT32);
        Path ours = Files.createDirectories(Path.of("target", "attention")).resolve("mha-kdim-vdim-from-library.safetensors");
        Safetensors.save(mha, ours);
        SafetensorsRoundTrip.assertSameFloat32(Safetensors.read(file), Safetensors.read(ours));
    }

    /** PyTorch's names, shapes and initialization where kdim or vdim differs from embedDim. */
    @Test
    void separateProjectionsWhereKdimOrVdimDiffers() {
        MultiheadAttention mha = new MultiheadAttention(6, 2, 0, true, 4, 5, 2);
        Map<String, Tensor> state = mha.stateDict();
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight",
                "out_proj.bias"), List.copyOf(state.keySet()));
        assertArrayEquals(new int[] {6, 6}, state.get("q_proj_weight").shape());
        assertArrayEquals(new int[] {6, 4}, state.get("k_proj_weight").shape());
        assertArrayEquals(new int[] {6, 5}, state.get("v_proj_weight").shape());
        assertArrayEquals(new float[18], state.get("in_proj_bias").toFloatArray());
        double bound = Math.sqrt(6.0 / (6 + 4));
        for (float v : state.get("k_proj_weight").toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"),
                List.copyOf(new MultiheadAttention(6, 2, 0, false, 6, 5, 2).stateDict().keySet()));
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                List.copyOf(new MultiheadAttention(6, 2, 0, true, 6, 6, 2).stateDict().keySet()));
        AttentionOutput o = mha.forward(Tensor.randn(6, 2, 3, 6), Tensor.randn(7, 2, 4, 4), Tensor.randn(8, 2, 4, 5),
                null, null, true, true);
        assertArrayEquals(new int[] {2, 3, 6}, o.output().shape());
        assertArrayEquals(new int[] {2, 3, 4}, o.weights().shape());
        assertEquals(4, mha.kdim());
        assertEquals(5, mha.vdim());
        assertEquals("embedDim=6, numHeads=2, kdim=4, vdim=5", mha.describe());
    }

    @Test
    void masksHideKeysAndWeightsSumToOne() {
        MultiheadAttention mha = new MultiheadAttention(4, 2);
        Tensor x = Tensor.randn(4, 2, 3, 4);
        AttentionOutput o = mha.forward(x, x, x, null, MultiheadAttention.causalMask(3), true, true);
        float[] w = o.weights().toFloatArray();
        assertEquals(0f, w[1]);
        assertEquals(0f, w[2]);
        assertEquals(0f, w[5]);
        assertEquals(1f, w[0], 1e-6f);
        assertEquals(1f, w[3] + w[4], 1e-6f);
        assertNull(mha.forward(x, x, x, null, null, false, true).weights());
        assertArrayEquals(mha.forward(x, x, x, null, null, false, true).output().toFloatArray(),
                mha.forward(x).toFloatArray());
        // PyTorch's initialization: zero biases, Xavier-uniform in-projection.
        assertArrayEquals(new float[12], mha.stateDict().get("in_proj_bias").toFloatArray());
        assertArrayEquals(new float[4], mha.stateDict().get("out_proj.bias").toFloatArray());
        double bound = Math.sqrt(6.0 / (4 + 12));
        for (float v : mha.stateDict().get("in_proj_weight").toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void dropoutActsOnTheWeightsInTrainingOnly() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.5, true, 8);
        Tensor x = Tensor.randn(5, 2, 3, 4);
        mha.eval();
        AttentionOutput eval = mha.forward(x, x, x, null, null, true, false);
        mha.train();
        AttentionOutput train = mha.forward(x, x, x, null, null, true, false);
        assertTrue(!java.util.Arrays.equals(eval.output().toFloatArray(), train.output().toFloatArray()));
        float[] we = eval.weights().toFloatArray();
        float[] wt = train.weights().toFloatArray();
        int dropped = 0;
        for (int i = 0; i < we.length; i++) {
            if (wt[i] == 0) {
                dropped++;
            } else {
                assertEquals(2 * we[i], wt[i], 1e-6f, "a kept weight is scaled by 1 / (1 - p)");
            }
        }
        assertTrue(dropped > 0 && dropped < we.length, dropped + " of " + we.length + " weights dropped");
    }

    @Test
    void errorsNameTheArgument() {
        MultiheadAttention mha = new MultiheadAttention(6, 2);
        Tensor q = Tensor.zeros(2, 4, 6);
        Tensor k = Tensor.zeros(2, 5, 6);
        assertEquals("MultiheadAttention: embedDim must be a positive multiple of numHeads, got embedDim=6, numHeads=4",
                assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4)).getMessage());
        assertEquals("MultiheadAttention: query must be [N, L, 6] (batch first), got [2, 4, 5]",
                assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(2, 4, 5))).getMessage());
        assertEquals("MultiheadAttention: value must be [2, 5, 6] (batch first), got [2, 4, 6]",
                assertThrows(IllegalArgumentException.class,
                        () -> mha.forward(q, k, q, null, null, false, true)).getMessage());
        MultiheadAttention kv = new MultiheadAttention(6, 2, 0, true, 4, 3, 1);
        assertEquals("MultiheadAttention: key must be [2, S, 4] (batch first), got [2, 5, 6]",
                assertThrows(IllegalArgumentException.class, () -> kv.forward(q, k, k, null, null, false, true))
                        .getMessage());
        assertEquals("MultiheadAttention: value must be [2, 5, 3] (batch first), got [2, 5, 4]",
                assertThrows(IllegalArgumentException.class, () -> kv.forward(q, Tensor.zeros(2, 5, 4),
                        Tensor.zeros(2, 5, 4), null, null, false, true)).getMessage());
        assertEquals("MultiheadAttention: kdim and vdim must be >= 1, got kdim=0, vdim=6",
                assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 2, 0, true, 0, 6, 1))
                        .getMessage());
        assertEquals("MultiheadAttention: keyPaddingMask must be [2, 5], got [2, 4]",
                assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, k,
                        Tensor.fromArray(new int[8], 2, 4), null, false, true)).getMessage());
        assertEquals("MultiheadAttention: attnMask must be [4, 5] or [N * numHeads, L, S] = [4, 4, 5], got [4, 4]",
                assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, k, null,
                        MultiheadAttention.causalMask(4), false, true)).getMessage());
    }
}
