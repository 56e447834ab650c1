package org.trainer.core.backend.cpu;

import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BackendConformance;
import org.trainer.core.backend.Backends;

/** The CPU backend meets the backend contract, and its fused capabilities match their fallbacks. */
class CpuBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend backend() {
        return Backends.cpu();
    }
}
