package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.backend.Backends;

/** Runs everywhere (not tagged gpu): without a device the module loads and explains itself. */
class NoDeviceTest {

    @Test
    void providerIsFoundThroughServiceLoader() {
        assertInstanceOf(CudaBackendProvider.class, Backends.provider("cuda"));
    }

    @Test
    void withoutDeviceTheProviderReportsWhyAndBackendsFailsNamingIt() {
        CudaBackendProvider p = new CudaBackendProvider();
        assumeFalse(p.isAvailable(), "a CUDA device is present; this test covers machines without one");
        String reason = p.unavailableReason();
        assertTrue(reason.startsWith("no CUDA device: "), reason);
        assertTrue(reason.length() > "no CUDA device: ".length() + 10, reason);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.get(Device.cuda(0)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().contains("cuda"), e.getMessage());
        assertFalse(p.isAvailable(), "asking twice gives the same answer");
    }
}
