package org.trainer.spark;

/**
 * A trial that failed on every attempt, or ran out of its time, under a {@link SparkTrialExecutor};
 * the message names the trial, the attempts and the task's error.
 */
public final class SparkTrialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failed trial, described by {@code message}, with the last attempt's error as {@code cause} (null when there is
     * none).
     *
     * @param message what failed
     * @param cause the last error, or null
     */
    public SparkTrialException(String message, Throwable cause) {
        super(message, cause);
    }
}
