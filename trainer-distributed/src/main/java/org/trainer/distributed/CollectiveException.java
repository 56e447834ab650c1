package org.trainer.distributed;

/**
 * A collective operation failed: a rank was lost or timed out, ranks disagreed on the operation or
 * its sizes, or a peer failed authentication. The message names the operation, the ranks involved
 * and what was expected. The group cannot be used afterwards.
 */
public class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failed collective operation, described by {@code message}.
     *
     * @param message what failed
     */
    public CollectiveException(String message) {
        super(message);
    }

    /**
     * A failed collective operation, described by {@code message}, caused by {@code cause}.
     *
     * @param message what failed
     * @param cause the underlying error
     */
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
