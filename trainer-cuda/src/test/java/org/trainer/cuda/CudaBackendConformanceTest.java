package org.trainer.cuda;

import org.junit.jupiter.api.Tag;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BackendConformance;
import org.trainer.core.backend.Backends;

/**
 * The CUDA backend meets the backend contract (every required primitive against reference math)
 * and its fused capabilities (softmax, softmax cross-entropy, optimizer steps, layer norm, dropout
 * mask, LSTM/GRU/RNN recurrences forward and reversed) match their composed fallbacks. Skipped
 * without a GPU; with trainer.cuda.test.device=cpu it runs on the CPU backend.
 */
@Tag("gpu")
class CudaBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend backend() {
        return Backends.get(GpuTests.device());
    }
}
