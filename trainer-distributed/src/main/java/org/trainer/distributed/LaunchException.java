package org.trainer.distributed;

import java.util.List;

/** A distributed job failed in every attempt a launcher was allowed; {@link #attempts()} says how each failed. */
public class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** One line per failed attempt (see {@link #attempts()}). */
    private final List<String> attempts;

    /**
     * A job that failed for good, with one line per failed attempt (copied).
     *
     * @param message the summary
     * @param attempts one line per failed attempt
     */
    public LaunchException(String message, List<String> attempts) {
        super(message);
        this.attempts = List.copyOf(attempts);
    }

    /**
     * One line per failed attempt, in order: which ranks failed, their exit codes and last errors.
     *
     * @return the lines
     */
    public List<String> attempts() {
        return attempts;
    }
}
