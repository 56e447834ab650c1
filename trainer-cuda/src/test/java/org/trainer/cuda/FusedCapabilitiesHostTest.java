package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

/**
 * What can be checked of CUDA's layer norm, dropout mask and recurrences without a GPU: that it
 * offers them, that the shipped PTX holds every kernel they launch (at the ISA the loader expects),
 * the layer norm's block shapes, and the argument checks that run before any launch (on CPU
 * storages, which have the sizes and dtypes the checks read).
 */
class FusedCapabilitiesHostTest {
    private static final Backend CPU = Backends.cpu();

    /** The kernels the new capabilities launch, by PTX module. */
    private static final Map<String, List<String>> KERNELS = Map.of(
            "norm", List.of("layer_norm_f32", "layer_norm_f64", "layer_norm_backward_f32", "layer_norm_backward_f64",
                    "layer_norm_columns_f32", "layer_norm_columns_f64"),
            "random", List.of("dropout_mask_f32", "random_f32", "random_f64", "random_i32"),
            "recurrent", List.of("lstm_cell_forward_f32", "lstm_cell_forward_f64", "lstm_cell_backward_f32",
                    "lstm_cell_backward_f64", "gru_cell_forward_f32", "gru_cell_forward_f64", "gru_cell_backward_f32",
                    "gru_cell_backward_f64", "rnn_cell_forward_f32", "rnn_cell_forward_f64", "rnn_cell_backward_f32",
                    "rnn_cell_backward_f64", "column_sums_f32", "column_sums_f64"));

    @Test
    void theBackendOffersTheNewCapabilities() {
        for (Class<?> c : List.of(Fused.LayerNorm.class, Fused.DropoutMask.class, Fused.Lstm.class, Fused.Gru.class,
                Fused.Rnn.class, Fused.Softmax.class, Fused.Adam.class)) {
            assertTrue(c.isAssignableFrom(CudaBackend.class), "CudaBackend implements " + c.getSimpleName());
        }
    }

    @Test
    void shippedPtxHoldsEveryKernelTheCapabilitiesLaunch() {
        Pattern entry = Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(");
        for (Map.Entry<String, List<String>> module : KERNELS.entrySet()) {
            String ptx = PtxModules.resource(module.getKey());
            assertEquals("7.0", PtxModules.declaredVersion(ptx), module.getKey() + ".ptx ISA");
            assertTrue(ptx.contains(".target sm_80"), module.getKey() + ".ptx target");
            java.util.Set<String> entries = new java.util.HashSet<>();
            Matcher m = entry.matcher(ptx);
            while (m.find()) {
                entries.add(m.group(1));
            }
            for (String kernel : module.getValue()) {
                assertTrue(entries.contains(kernel), module.getKey() + ".ptx lacks " + kernel + "; has " + entries);
            }
        }
    }

    @Test
    void layerNormBlocksAreWholeWarpsNoWiderThanTheRow() {
        assertEquals(32, LayerNormLaunch.threads(1));
        assertEquals(32, LayerNormLaunch.threads(32));
        assertEquals(64, LayerNormLaunch.threads(33));
        assertEquals(256, LayerNormLaunch.threads(255));
        assertEquals(256, LayerNormLaunch.threads(256));
        assertEquals(256, LayerNormLaunch.threads(Integer.MAX_VALUE));
        for (int n = 1; n < 2000; n++) {
            int t = LayerNormLaunch.threads(n);
            assertTrue(t % 32 == 0 && t >= 32 && t <= LayerNormLaunch.MAX_THREADS, n + " -> " + t);
            assertTrue(t < n + 32 || t == LayerNormLaunch.MAX_THREADS, n + " -> " + t + " leaves a warp idle");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerNormLaunch.threads(0));
        assertTrue(e.getMessage().contains("n must be >= 1, got 0"), e.getMessage());
    }

    private static Storage f32(int... shape) {
        int size = 1;
        for (int s : shape) {
            size *= s;
        }
        return CPU.allocate(DType.FLOAT32, size);
    }

    @Test
    void recurrenceChecksAcceptTheContractsShapesAndDeclineEmptyOnes() {
        int t = 5;
        int n = 3;
        int h = 7;
        assertTrue(CudaRecurrences.checkLstmForward(t, n, h, f32(t, n, 4 * h), f32(4 * h, h), f32(4 * h), f32(n, h),
                f32(n, h), f32(t + 1, n, h), f32(t, n, h), f32(t, n, 4 * h)));
        assertTrue(CudaRecurrences.checkLstmForward(t, n, h, f32(t, n, 4 * h), f32(4 * h, h), null, f32(n, h),
                f32(n, h), f32(t + 1, n, h), f32(t, n, h), f32(t, n, 4 * h)), "without a bias");
        assertTrue(CudaRecurrences.checkLstmBackward(t, n, h, f32(4 * h, h), f32(n, h), f32(n, h), f32(t + 1, n, h),
                f32(t, n, h), f32(t, n, 4 * h), f32(t + 1, n, h), f32(t, n, 4 * h), null, null, null, null, f32(n, h),
                f32(n, h)));
        assertTrue(CudaRecurrences.checkGruForward(t, n, h, f32(t, n, 3 * h), f32(3 * h, h), f32(3 * h), f32(n, h),
                f32(t, n, h), f32(t, n, 3 * h), f32(t, n, h)));
        assertTrue(CudaRecurrences.checkGruBackward(t, n, h, f32(3 * h, h), f32(n, h), f32(t, n, h), f32(t, n, 3 * h),
                f32(t, n, h), f32(t, n, h), f32(t, n, 3 * h), f32(t, n, 3 * h), f32(3 * h, h), f32(3 * h), f32(n, h),
                f32(n, h)));
        assertTrue(CudaRecurrences.checkRnnForward(t, n, h, f32(t, n, h), f32(h, h), f32(h), f32(n, h), f32(t, n, h)));
        assertTrue(CudaRecurrences.checkRnnBackward(t, n, h, f32(h, h), f32(n, h), f32(t, n, h), f32(t, n, h),
                f32(t, n, h), f32(h, h), f32(h), f32(n, h), f32(n, h)));
        // An empty batch or state: the fallback runs.
        assertFalse(CudaRecurrences.checkRnnForward(t, 0, h, f32(t, 0, h), f32(h, h), f32(h), f32(0, h),
                f32(t, 0, h)));
        assertFalse(CudaRecurrences.checkGruForward(t, n, 0, f32(t, n, 0), f32(0, 0), f32(0), f32(n, 0),
                f32(t, n, 0), f32(t, n, 0), f32(t, n, 0)));
    }

    @Test
    void recurrenceChecksNameTheArgumentTheValueAndTheExpectation() {
        int t = 5;
        int n = 3;
        int h = 7;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                CudaRecurrences.checkLstmForward(t, n, h, f32(t, n, 4 * h), f32(4 * h, h), f32(4 * h), f32(n, h),
                        f32(n, h), f32(t, n, h), f32(t, n, h), f32(t, n, 4 * h)));
        assertEquals("lstmForward: out must be [6, 3, 7] (126 elements) of FLOAT32, got 105 elements of FLOAT32",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                CudaRecurrences.checkGruForward(t, n, h, f32(t, n, 3 * h), f32(3 * h, h), f32(3 * h),
                        CPU.allocate(DType.FLOAT64, n * h), f32(t, n, h), f32(t, n, 3 * h), f32(t, n, h)));
        assertEquals("gruForward: h0 must be [3, 7] (21 elements) of FLOAT32, got 21 elements of FLOAT64",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                CudaRecurrences.checkRnnBackward(t, n, h, f32(h, h), f32(n, h), f32(t, n, h), f32(t, n, h),
                        f32(t, n, h), f32(h, h), f32(h + 1), f32(n, h), f32(n, h)));
        assertTrue(e.getMessage().startsWith("rnnBackward: gb must be [7] "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                CudaRecurrences.checkRnnForward(0, n, h, f32(0), f32(h, h), null, f32(n, h), f32(0)));
        assertEquals("rnnForward: expected steps >= 1, n >= 0 and hidden >= 0, got steps 0, n 3, hidden 7",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedArguments.recurrence("lstmForward", 1 << 16,
                1 << 8, 1 << 8, 4));
        assertTrue(e.getMessage().contains("more than a storage holds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedArguments.require("layerNorm", "mean", null,
                DType.FLOAT32, 4));
        assertEquals("layerNorm: mean must be [4] (4 elements) of FLOAT32, got null", e.getMessage());
    }

    @Test
    void recurrenceStepOrderFeedsEachStepTheStateOfTheOneBefore() {
        // Forward: 0, 1, 2 fed h0, out[0], out[1]; reverse: 2, 1, 0 fed h0, out[2], out[1].
        int nh = 10;
        int[] forward = new int[3];
        int[] reverse = new int[3];
        int[] forwardFed = new int[3];
        int[] reverseFed = new int[3];
        for (int s = 0; s < 3; s++) {
            forward[s] = CudaRecurrences.time(s, 3, false);
            reverse[s] = CudaRecurrences.time(s, 3, true);
            forwardFed[s] = CudaRecurrences.previousOffset(s, forward[s], nh, false);
            reverseFed[s] = CudaRecurrences.previousOffset(s, reverse[s], nh, true);
        }
        assertEquals(List.of(0, 1, 2), List.of(forward[0], forward[1], forward[2]));
        assertEquals(List.of(2, 1, 0), List.of(reverse[0], reverse[1], reverse[2]));
        assertEquals(List.of(0, 0, 10), List.of(forwardFed[0], forwardFed[1], forwardFed[2]));
        assertEquals(List.of(0, 20, 10), List.of(reverseFed[0], reverseFed[1], reverseFed[2]));
    }
}
