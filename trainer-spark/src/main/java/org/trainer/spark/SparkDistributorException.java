package org.trainer.spark;

/**
 * A distributed job run by {@link SparkDistributor} did not complete: its barrier stage failed on
 * every allowed attempt, or its result could not be read. The message carries the failing task's
 * error as Spark reported it; the cause is Spark's exception.
 */
public final class SparkDistributorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SparkDistributorException(String message, Throwable cause) {
        super(message, cause);
    }
}
