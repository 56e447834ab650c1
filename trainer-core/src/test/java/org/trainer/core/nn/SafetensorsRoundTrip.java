package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Map;

import org.trainer.core.DType;
import org.trainer.core.Tensor;

/** The check of the safetensors round-trip tests: a file we wrote holds what PyTorch's held. */
final class SafetensorsRoundTrip {
    private SafetensorsRoundTrip() {
    }

    /** The same names in the same order, each float32 with the same shape and bits. */
    static void assertSameFloat32(Map<String, Tensor> theirs, Map<String, Tensor> back) {
        assertEquals(new ArrayList<>(theirs.keySet()), new ArrayList<>(back.keySet()));
        for (Map.Entry<String, Tensor> e : theirs.entrySet()) {
            Tensor b = back.get(e.getKey());
            assertNotNull(b, e.getKey());
            assertEquals(DType.FLOAT32, b.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
            assertArrayEquals(e.getValue().toFloatArray(), b.toFloatArray(), e.getKey());
        }
    }
}
