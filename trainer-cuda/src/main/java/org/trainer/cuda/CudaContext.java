package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;

import java.nio.charset.StandardCharsets;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * One device's primary context. The primary context is the one the CUDA runtime (and so cuBLAS)
 * uses too, so kernels and cuBLAS calls share memory and the legacy default stream, which orders
 * all work on the device. A context is current per thread: every entry point that touches the GPU
 * calls {@link #makeCurrent()}, which costs one thread-local read when it already is.
 */
final class CudaContext {
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final int index;
    private final CUcontext context;
    private final String name;
    private final int ccMajor;
    private final int ccMinor;
    private final long totalMemory;
    private final int driverVersion;

    CudaContext(int index) {
        this.index = index;
        CUdevice device = new CUdevice();
        CudaCheck.check(cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
        this.context = new CUcontext();
        // Retained for the life of the process: backends are per-device singletons.
        CudaCheck.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(" + index + ")");
        byte[] buf = new byte[256];
        CudaCheck.check(cuDeviceGetName(buf, buf.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        this.name = new String(buf, 0, len, StandardCharsets.US_ASCII);
        int[] v = new int[1];
        CudaCheck.check(cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                device), "cuDeviceGetAttribute");
        this.ccMajor = v[0];
        CudaCheck.check(cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                device), "cuDeviceGetAttribute");
        this.ccMinor = v[0];
        long[] mem = new long[1];
        CudaCheck.check(cuDeviceTotalMem(mem, device), "cuDeviceTotalMem");
        this.totalMemory = mem[0];
        CudaCheck.check(cuDriverGetVersion(v), "cuDriverGetVersion");
        this.driverVersion = v[0];
        makeCurrent();
    }

    /** Makes this context current on the calling thread (a no-op when it already is). */
    void makeCurrent() {
        if (CURRENT.get() != context) {
            CudaCheck.check(cuCtxSetCurrent(context), "cuCtxSetCurrent(cuda:" + index + ")");
            CURRENT.set(context);
        }
    }

    int index() {
        return index;
    }

    String name() {
        return name;
    }

    /** Compute capability as "major.minor", e.g. "9.0" for an H100. */
    String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    long totalMemory() {
        return totalMemory;
    }

    /** The driver's CUDA version as cuDriverGetVersion reports it, e.g. 12040 for 12.4. */
    int driverVersion() {
        return driverVersion;
    }
}
