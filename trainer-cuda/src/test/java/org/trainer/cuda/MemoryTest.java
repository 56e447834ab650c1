package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Storage;

/** The caching allocator on a real device: reuse without cudaMalloc, figures, and the OOM message. */
@Tag("gpu")
class MemoryTest {

    @Test
    void freedStoragesAreReusedWithoutNewDeviceAllocations() {
        CudaBackend cuda = GpuTests.backend();
        for (int i = 0; i < 3; i++) {
            churn(cuda);
        }
        System.gc();
        sleep();
        long before = cuda.deviceAllocations();
        for (int i = 0; i < 20; i++) {
            churn(cuda);
            System.gc();
            sleep();
        }
        assertEquals(before, cuda.deviceAllocations(), "steady state: blocks come from the cache");
        assertTrue(cuda.memoryPeak() >= cuda.memoryUsed());
    }

    private static void churn(CudaBackend cuda) {
        List<Storage> live = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            live.add(cuda.allocate(DType.FLOAT32, 1000 + i * 4096));
        }
        assertNotNull(live);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void usedAndPeakFollowLiveStorages() {
        CudaBackend cuda = GpuTests.backend();
        long used = cuda.memoryUsed();
        Storage s = cuda.allocate(DType.FLOAT64, 1 << 20);
        assertTrue(cuda.memoryUsed() >= used + (8L << 20), "used grows by the storage's bytes");
        assertTrue(cuda.memoryPeak() >= cuda.memoryUsed());
        assertEquals(1 << 20, s.size());
    }

    @Test
    void outOfMemoryNamesRequestAndUse() {
        GpuTests.requireGpu();
        CudaDevice dev = CudaDevice.get(0);
        CudaMemoryPool<CUdeviceptr> pool = new CudaMemoryPool<>(new DriverMemory(dev.context), "cuda:0", 64L << 20,
                () -> { });
        var a = pool.allocate(40L << 20, "first");
        CudaOutOfMemoryError e = assertThrows(CudaOutOfMemoryError.class, () -> pool.allocate(40L << 20, "second"));
        assertTrue(e.getMessage().contains("tried to allocate 40.00 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains("40.00 MiB (41943040 bytes) in use"), e.getMessage());
        assertTrue(e.getMessage().contains("free of"), e.getMessage());
        pool.release(a);
        pool.emptyCache();
        // The device's real limit: far more than it has.
        CudaMemoryPool<CUdeviceptr> real = new CudaMemoryPool<>(new DriverMemory(dev.context), "cuda:0",
                Long.MAX_VALUE, () -> { });
        CudaOutOfMemoryError huge = assertThrows(CudaOutOfMemoryError.class, () -> real.allocate(1L << 50, "huge"));
        assertTrue(huge.getMessage().contains("tried to allocate 1024.00 TiB"), huge.getMessage());
    }

    @Test
    void backendInterfaceReportsDeviceMemoryAndSynchronizes() {
        org.trainer.core.backend.Backend spi = GpuTests.backend();
        Storage s = spi.allocate(DType.FLOAT32, 1 << 20);
        spi.synchronize();
        long used = spi.deviceMemoryUsed();
        long total = spi.deviceMemoryTotal();
        assertTrue(used >= 4L << 20, "the live storage counts: " + used);
        assertTrue(total > used, "total " + total + " exceeds used " + used);
        assertNotNull(s);
    }
}
