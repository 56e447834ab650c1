package org.trainer.optim;

import java.util.List;

import org.trainer.core.train.LearningRateSchedule;

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

    /** The parts of a composed schedule: none null, all counting the same unit as the first. */
    static void parts(String owner, List<? extends LearningRateSchedule> schedules) {
        for (int i = 0; i < schedules.size(); i++) {
            LearningRateSchedule s = schedules.get(i);
            if (s == null) {
                throw new IllegalArgumentException(owner + ": schedules[" + i + "] must not be null");
            }
            if (s.perIteration() != schedules.get(0).perIteration()) {
                throw new IllegalArgumentException(owner + ": schedules[" + i + "] counts " + unit(s)
                        + " but schedules[0] counts " + unit(schedules.get(0)) + "; all parts must count the same unit");
            }
        }
    }

    private static String unit(LearningRateSchedule s) {
        return s.perIteration() ? "iterations" : "epochs";
    }
}
