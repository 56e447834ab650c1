package org.trainer.cuda;

import jcuda.driver.CUresult;

/** Turns driver result codes into exceptions that name the failed call. */
final class CudaCheck {
    private CudaCheck() {
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaError(what + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
        }
    }
}
