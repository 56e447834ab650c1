package org.trainer.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.BatchNorm1d;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.core.transfer.NameMap;
import org.trainer.core.transfer.PretrainedWeights;

/** A load that does not fit the model changes nothing of it, and says which entry and file. */
class AllOrNothingLoadTest {
    @TempDir
    Path dir;

    private static Map<String, int[]> bits(Module m) {
        Map<String, int[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> {
            float[] f = v.toFloatArray();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = Float.floatToRawIntBits(f[i]);
            }
            out.put(k, b);
        });
        return out;
    }

    private static void assertUnchanged(Map<String, int[]> before, Module m) {
        Map<String, int[]> after = bits(m);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " changed"));
    }

    @Test
    void aFileWhoseLastLayerDiffersLeavesEveryParameterBitwiseUnchanged() throws IOException {
        // The first layer fits, so a load that wrote as it went would have replaced 0.weight and 0.bias.
        Path f = dir.resolve("other.safetensors");
        Safetensors.save(new Sequential(new Linear(4, 3), new Linear(3, 5)), f);
        Sequential model = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Map<String, int[]> before = bits(model);
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(model, f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("1.weight has shape [2, 3], got [5, 3]"), e.getMessage());
        assertUnchanged(before, model);
    }

    @Test
    void missingAndUnexpectedNamesAreRefusedBeforeAnyWrite() throws IOException {
        Sequential model = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Map<String, int[]> before = bits(model);
        Map<String, Tensor> state = new LinkedHashMap<>(new Sequential(new Linear(4, 3), new Linear(3, 2)).stateDict());
        state.remove("1.bias");
        state.put("2.weight", Tensor.zeros(1));
        Path f = dir.resolve("renamed.safetensors");
        Safetensors.save(state, Map.of(), f);
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(model, f));
        assertTrue(e.getMessage().contains("missing [1.bias], unexpected [2.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertUnchanged(before, model);
    }

    @Test
    void aNonStrictLoadWithOneBadShapeWritesNothing() {
        Sequential model = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Map<String, int[]> before = bits(model);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("0.weight", Tensor.ones(3, 4));
        state.put("1.bias", Tensor.ones(7));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, false));
        assertTrue(e.getMessage().contains("parameter 1.bias has shape [2], got [7]"), e.getMessage());
        assertUnchanged(before, model);
    }

    @Test
    void aFloatingEntryForAnIntegerBufferIsRefusedBeforeAnyWrite() {
        Sequential model = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
        Map<String, int[]> before = bits(model);
        Map<String, Tensor> state = new LinkedHashMap<>(new Sequential(new Linear(2, 3), new BatchNorm1d(3)).stateDict());
        state.put("1.num_batches_tracked", Tensor.scalar(2.5));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, true));
        assertTrue(e.getMessage().contains("buffer 1.num_batches_tracked is INT32, got FLOAT"), e.getMessage());
        assertUnchanged(before, model);
    }

    @Test
    void integerEntriesFillFloatingParametersAndAGoodLoadStillWrites() {
        Sequential model = new Sequential(new Linear(2, 1));
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("0.weight", Tensor.fromArray(new int[] {3, -4}, 1, 2));
        state.put("0.bias", Tensor.fromArray(new float[] {0.5f}, 1));
        model.loadStateDict(state, true);
        assertArrayEquals(new float[] {3f, -4f}, model.stateDict().get("0.weight").toFloatArray());
        assertArrayEquals(new float[] {0.5f}, model.stateDict().get("0.bias").toFloatArray());
        assertTrue(model.stateDict().get("0.weight").dtype() == DType.FLOAT32);
    }

    @Test
    void pretrainedWeightsNameTheFileAndChangeNothing() throws IOException {
        Path f = dir.resolve("body.safetensors");
        Safetensors.save(new Sequential(new Linear(4, 3), new Linear(3, 5)), f);
        Sequential model = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Map<String, int[]> before = bits(model);
        var e = assertThrows(IllegalArgumentException.class, () -> PretrainedWeights.load(model, f, NameMap.identity()));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("'1.weight'"), e.getMessage());
        assertUnchanged(before, model);
    }
}
