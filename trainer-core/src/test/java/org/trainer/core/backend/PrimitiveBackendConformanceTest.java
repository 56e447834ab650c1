package org.trainer.core.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A backend of only the required primitives meets the contract: what a new backend implements
 * first. It offers no capability, so the suite's capability checks reduce to the fallbacks
 * against reference math.
 */
class PrimitiveBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend backend() {
        return Backends.get(PrimitiveBackend.DEVICE);
    }

    @Test
    void offersNoCapability() {
        for (Class<? extends Capability> c : List.of(Fused.Softmax.class, Fused.CrossEntropy.class,
                Fused.Conv2d.class, Fused.Lstm.class, Fused.Gru.class, Fused.Rnn.class, Fused.Sgd.class,
                Fused.Adam.class, Fused.Rmsprop.class, Fused.Adagrad.class, Fused.DropoutMask.class)) {
            assertTrue(backend().capability(c).isEmpty(), c.getSimpleName());
            assertTrue(Backends.cpu().capability(c).isPresent(), "the CPU offers " + c.getSimpleName());
        }
    }
}
