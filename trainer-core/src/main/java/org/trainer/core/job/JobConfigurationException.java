package org.trainer.core.job;

/**
 * A training job is set up wrongly: an unknown, missing or ill-typed hyperparameter, a missing
 * channel, an unusable job directory. The message is what {@code output/failure} holds.
 */
public final class JobConfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * A configuration error described by {@code message}.
     *
     * @param message what is wrong
     */
    public JobConfigurationException(String message) {
        super(message);
    }

    /**
     * A configuration error described by {@code message}, caused by {@code cause}.
     *
     * @param message what is wrong
     * @param cause the underlying error
     */
    public JobConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
