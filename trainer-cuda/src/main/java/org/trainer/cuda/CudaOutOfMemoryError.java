package org.trainer.cuda;

/**
 * The device could not provide the memory a storage asked for, even after unreachable storages
 * were reclaimed and the allocator's cache was returned to the driver. The message says how much
 * was asked for and how much is in use.
 */
public final class CudaOutOfMemoryError extends CudaError {
    private final long requestedBytes;
    private final long usedBytes;

    public CudaOutOfMemoryError(String message, long requestedBytes, long usedBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
        this.usedBytes = usedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    /** Bytes held by live storages when the request failed. */
    public long usedBytes() {
        return usedBytes;
    }
}
