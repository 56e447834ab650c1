package org.trainer.core.job;

import java.util.Optional;

/**
 * Ties a child JVM's life to its parent's: a child started by {@link TrainingJob#runInChildJvm}
 * finds its parent's pid in {@link TrainingJob#PARENT_PID_ENV} and halts as soon as that process
 * is gone, so that a killed tuner leaves no trial running on in its directories (a restarted tuner
 * would re-run the trial there while the orphan still writes).
 */
final class ParentWatch {
    /** How often the parent's liveness is checked: a killed parent's child is gone within this. */
    static final long PERIOD_MILLIS = 500;

    private ParentWatch() {
    }

    /**
     * Starts watching the process named by {@code pidText} (the environment variable's value; null or
     * blank: no parent to watch, nothing is started). Halts this JVM at once with
     * {@link Main#PARENT_GONE} when the parent is already gone, otherwise from a daemon thread when it
     * goes: halt, not exit, so that no shutdown hook writes a failure into a directory that the
     * parent's successor may already use.
     *
     * @throws IllegalArgumentException when {@code pidText} is not a positive integer
     */
    static void start(String pidText) {
        if (pidText == null || pidText.isBlank()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(pidText.trim());
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            throw new IllegalArgumentException(TrainingJob.PARENT_PID_ENV + " must be a process id, got '" + pidText
                    + "'");
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            parentGone(pid);
        }
        ProcessHandle handle = parent.get();
        long watched = pid;
        Thread t = new Thread(() -> {
            while (handle.isAlive()) {
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            parentGone(watched);
        }, "parent-watch-" + pid);
        t.setDaemon(true);
        t.start();
    }

    private static void parentGone(long pid) {
        // stderr, not a logger: this is the child JVM's last word and goes to the job's log.
        System.err.println(Main.class.getName() + ": parent process " + pid + " is gone; halting");
        System.err.flush();
        Runtime.getRuntime().halt(Main.PARENT_GONE);
    }
}
