package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Whether CUDA works here, asked once per process. Loading JCuda's native library needs the
 * driver's libcuda.so.1, and cuInit needs a GPU; each way this can fail becomes a reason string
 * instead of an exception, so that the library loads and runs on the CPU without a GPU.
 */
record CudaProbe(boolean available, String reason, int deviceCount, int driverVersion) {

    private static final class Holder {
        static final CudaProbe RESULT = run();
    }

    static CudaProbe get() {
        return Holder.RESULT;
    }

    private static CudaProbe run() {
        if (Boolean.getBoolean("trainer.cuda.disabled")) {
            return none("disabled by the system property trainer.cuda.disabled=true");
        }
        try {
            // Result codes, not exceptions: every call below is checked where it is made.
            JCudaDriver.setExceptionsEnabled(false);
            int r = cuInit(0);
            if (r != CUresult.CUDA_SUCCESS) {
                return none("cuInit failed with " + CUresult.stringFor(r)
                        + (r == CUresult.CUDA_ERROR_NO_DEVICE ? " (the driver sees no GPU)" : ""));
            }
            int[] v = new int[1];
            int driver = cuDriverGetVersion(v) == CUresult.CUDA_SUCCESS ? v[0] : 0;
            r = cuDeviceGetCount(v);
            if (r != CUresult.CUDA_SUCCESS) {
                return none("cuDeviceGetCount failed with " + CUresult.stringFor(r));
            }
            if (v[0] == 0) {
                return none("the CUDA driver reports 0 devices");
            }
            return new CudaProbe(true, "", v[0], driver);
        } catch (LinkageError e) {
            return none("the CUDA driver could not be loaded through JCuda (" + e + "); is an NVIDIA driver"
                    + " (libcuda.so.1) installed?");
        } catch (RuntimeException e) {
            return none("probing CUDA failed: " + e);
        }
    }

    private static CudaProbe none(String why) {
        return new CudaProbe(false, "no CUDA device: " + why, 0, 0);
    }
}
