package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/** Device memory straight from the driver (cuMemAlloc / cuMemFree) in the device's context. */
final class DriverMemory implements RawMemory<CUdeviceptr> {
    private final CudaContext context;

    DriverMemory(CudaContext context) {
        this.context = context;
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        context.makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        int r = cuMemAlloc(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaCheck.check(r, "cuMemAlloc(" + bytes + " bytes)");
        return p;
    }

    @Override
    public void free(CUdeviceptr pointer) {
        context.makeCurrent();
        CudaCheck.check(cuMemFree(pointer), "cuMemFree");
    }

    @Override
    public String describe() {
        context.makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        if (cuMemGetInfo(free, total) != CUresult.CUDA_SUCCESS) {
            return "device memory figures unavailable";
        }
        return "the device has " + Bytes.str(free[0]) + " free of " + Bytes.str(total[0]);
    }
}
