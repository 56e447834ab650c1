package org.trainer.optim;

/** Argument checks shared by the schedules: each message names the schedule, the argument and its value. */
final class ScheduleChecks {
    private ScheduleChecks() {
    }

    /** The step t of {@code learningRate(base, t)}: t >= 0. */
    static void step(String owner, long t) {
        if (t < 0) {
            throw new IllegalArgumentException(owner + ": step t must be >= 0, got " + t);
        }
    }

    static void atLeast(String owner, String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(owner + ": " + name + " must be >= " + min + ", got " + value);
        }
    }

    static void positive(String owner, String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be a finite value > 0, got " + value);
        }
    }

    static void nonNegative(String owner, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be a finite value >= 0, got " + value);
        }
    }

    static void unitInterval(String owner, String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1], got " + value);
        }
    }
}
