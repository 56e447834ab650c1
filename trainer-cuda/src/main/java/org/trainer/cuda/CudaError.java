package org.trainer.cuda;

/** A CUDA driver or cuBLAS call failed; the message names the call and the error code. */
public class CudaError extends RuntimeException {
    public CudaError(String message) {
        super(message);
    }

    public CudaError(String message, Throwable cause) {
        super(message, cause);
    }
}
