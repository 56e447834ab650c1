package org.trainer.core.job;

import java.time.Duration;

/**
 * One interruption that a {@link ManagedSpotRunner} delivers to an attempt of a job, {@link #after()}
 * the attempt started training (its {@code output/status.json} says "Training"): a spot instance's
 * notice (SIGTERM, then SIGKILL if the job still runs {@link #notice()} later) or its loss without
 * notice (SIGKILL).
 */
public record Interruption(Duration after, Kind kind, Duration notice) {

    /** How the machine is taken. */
    public enum Kind {
        /** SIGTERM, then SIGKILL once the notice period is over. */
        NOTICE,
        /** SIGKILL at once. */
        KILL
    }

    /** @throws IllegalArgumentException for a negative delay, a null kind, or a notice that is not positive */
    public Interruption {
        if (after == null || after.isNegative()) {
            throw new IllegalArgumentException("Interruption: after must be >= 0, got " + after);
        }
        if (kind == null) {
            throw new IllegalArgumentException("Interruption: kind must not be null");
        }
        if (kind == Kind.NOTICE && (notice == null || notice.isNegative() || notice.isZero())) {
            throw new IllegalArgumentException("Interruption: a notice period must be positive, got " + notice);
        }
        if (kind == Kind.KILL) {
            notice = Duration.ZERO;
        }
    }

    /** SIGTERM {@code after} the attempt starts training, SIGKILL {@code notice} later if it still runs. */
    public static Interruption notice(Duration after, Duration notice) {
        return new Interruption(after, Kind.NOTICE, notice);
    }

    /** SIGKILL {@code after} the attempt starts training. */
    public static Interruption kill(Duration after) {
        return new Interruption(after, Kind.KILL, Duration.ZERO);
    }
}
