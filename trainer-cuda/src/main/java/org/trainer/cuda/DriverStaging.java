package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;

/**
 * The driver side of {@link PinnedStaging}: page-locked host memory from cuMemHostAlloc, copies
 * with cuMemcpyHtoDAsync and events without timing, all on the legacy default stream (the null
 * stream) that orders every other piece of work of this module.
 */
final class DriverStaging implements PinnedStaging.Driver<Pointer, CUdeviceptr, CUevent> {
    private final CudaContext context;
    private final DeviceTimer timer;

    DriverStaging(CudaContext context, DeviceTimer timer) {
        this.context = context;
        this.timer = timer;
    }

    @Override
    public Pointer allocate(long bytes) {
        context.makeCurrent();
        Pointer p = new Pointer();
        int r = cuMemHostAlloc(p, bytes, 0);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaCheck.check(r, "cuMemHostAlloc(" + bytes + " bytes)");
        return p;
    }

    @Override
    public ByteBuffer view(Pointer block, long bytes) {
        return block.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public void free(Pointer block) {
        context.makeCurrent();
        CudaCheck.check(cuMemFreeHost(block), "cuMemFreeHost");
    }

    @Override
    public void copy(Pointer block, long bytes, CUdeviceptr dst) {
        context.makeCurrent();
        boolean timed = timer.start();
        try {
            CudaCheck.check(cuMemcpyHtoDAsync(dst, block, bytes, null), "cuMemcpyHtoDAsync");
        } finally {
            if (timed) {
                timer.stop();
            }
        }
    }

    @Override
    public CUevent newEvent() {
        context.makeCurrent();
        CUevent e = new CUevent();
        CudaCheck.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        return e;
    }

    @Override
    public void record(CUevent event) {
        CudaCheck.check(cuEventRecord(event, null), "cuEventRecord");
    }

    @Override
    public void await(CUevent event) {
        CudaCheck.check(cuEventSynchronize(event), "cuEventSynchronize");
    }
}
