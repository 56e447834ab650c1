package org.trainer.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BackendProvider;

/**
 * Registers the CUDA backend (device type "cuda") with core's {@link org.trainer.core.backend.Backends}
 * through {@link java.util.ServiceLoader}. Never throws from {@link #isAvailable()}: without a GPU
 * or driver it reports false, and {@link #unavailableReason()} says why.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return CudaProbe.get().available();
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.get().reason();
    }

    /** Number of CUDA devices (0 when unavailable). */
    public int deviceCount() {
        return CudaProbe.get().deviceCount();
    }

    @Override
    public Backend create(int index) {
        CudaProbe probe = CudaProbe.get();
        if (!probe.available()) {
            throw new IllegalStateException("cuda backend: " + probe.reason());
        }
        if (index >= probe.deviceCount()) {
            throw new IllegalArgumentException("cuda backend: device index " + index + " is out of range: "
                    + probe.deviceCount() + " CUDA device(s) found");
        }
        return BACKENDS.computeIfAbsent(index, i -> new CudaBackend(CudaDevice.get(i), false));
    }

    /**
     * A backend on device {@code index} whose matmul always uses trainer-cuda's own GEMM kernel,
     * whatever trainer.cuda.gemm says (for comparing the two paths in one process).
     */
    public static CudaBackend fallbackGemmBackend(int index) {
        CudaProbe probe = CudaProbe.get();
        if (!probe.available()) {
            throw new IllegalStateException("cuda backend: " + probe.reason());
        }
        return new CudaBackend(CudaDevice.get(index), true);
    }
}
