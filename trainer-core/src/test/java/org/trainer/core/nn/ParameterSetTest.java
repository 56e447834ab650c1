package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/** A wrong-shaped value set on a bare parameter: refused, with the shapes and where the name-aware loaders are. */
class ParameterSetTest {

    @Test
    void aWrongShapeIsRefusedPointingToTheLoadersThatNameTheParameter() {
        Parameter p = new Linear(4, 8).weight();
        String m = assertThrows(IllegalArgumentException.class, () -> p.set(Tensor.zeros(4, 8))).getMessage();
        assertTrue(m.startsWith("Parameter.set: shape [4, 8] differs from the parameter's [8, 4]"), m);
        assertTrue(m.contains("Module.loadStateDict") && m.contains("Safetensors.load"), m);
        assertArrayEquals(new int[] {8, 4}, p.value().shape(), "unchanged");
    }
}
