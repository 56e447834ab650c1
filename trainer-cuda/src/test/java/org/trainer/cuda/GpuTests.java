package org.trainer.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.trainer.core.Device;
import org.trainer.core.backend.Backends;

/** Shared by the GPU tests: the device under test, or a skipped test (never a failed one) without one. */
final class GpuTests {
    /**
     * trainer.cuda.test.device=cpu runs the comparison tests CPU against CPU, which checks the test
     * harness itself on a machine without a GPU.
     */
    static final boolean SELF_CHECK = "cpu".equals(System.getProperty("trainer.cuda.test.device"));

    private GpuTests() {
    }

    static Device device() {
        if (SELF_CHECK) {
            return Device.CPU;
        }
        requireGpu();
        return Device.cuda(0);
    }

    static void requireGpu() {
        CudaBackendProvider p = new CudaBackendProvider();
        assumeTrue(p.isAvailable(), () -> "skipped: " + p.unavailableReason());
    }

    static CudaBackend backend() {
        requireGpu();
        return (CudaBackend) Backends.get(Device.cuda(0));
    }
}
