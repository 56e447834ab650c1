package org.trainer.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * What one GPU holds for the process: its retained primary context, its caching allocator, its
 * loaded kernels and its device timer. One per device index, shared by every backend instance on that device.
 */
final class CudaDevice {
    private static final Map<Integer, CudaDevice> DEVICES = new ConcurrentHashMap<>();

    final CudaContext context;
    final CudaMemoryPool<CUdeviceptr> pool;
    final Kernels kernels;
    final PinnedStaging<Pointer, CUdeviceptr, CUevent> staging;
    /** Times the device's work for the profiler: one per device, as all backends on it share one stream. */
    final DeviceTimer timer;

    private CudaDevice(int index) {
        this.context = new CudaContext(index);
        this.pool = new CudaMemoryPool<>(new DriverMemory(context), "cuda:" + index, memoryLimit(),
                CudaDevice::reclaimUnreachable);
        this.timer = new DeviceTimer(context);
        this.kernels = new Kernels(context, timer);
        this.staging = new PinnedStaging<>(new DriverStaging(context, timer));
    }

    static CudaDevice get(int index) {
        return DEVICES.computeIfAbsent(index, CudaDevice::new);
    }

    /** trainer.cuda.memoryLimit: the most bytes the allocator holds from the device (default: no limit). */
    private static long memoryLimit() {
        String v = System.getProperty("trainer.cuda.memoryLimit");
        if (v == null || v.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trainer.cuda.memoryLimit: expected a number of bytes, got '" + v + "'");
        }
    }

    /**
     * Storages free their blocks when the garbage collector finds them unreachable, and the Java
     * heap does not feel GPU memory pressure, so before giving up on an allocation we run a
     * collection and give the cleaner thread a moment to hand blocks back.
     */
    private static void reclaimUnreachable() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
