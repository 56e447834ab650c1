package org.trainer.core.backend.cpu;

import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BackendProvider;

/** Registers the CPU backend with {@link org.trainer.core.backend.Backends}; always available. */
public final class CpuBackendProvider implements BackendProvider {
    private static final CpuBackend INSTANCE = new CpuBackend();

    @Override
    public String type() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return "";
    }

    @Override
    public Backend create(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("cpu backend: device index must be 0, got " + index);
        }
        return INSTANCE;
    }
}
