package org.trainer.core.job;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.train.checkpoint.StopRequest;

import sun.misc.Signal;

/**
 * The interruption notice of a job's JVM (SIGTERM, as a spot instance gets about two minutes
 * before it is taken): the first SIGTERM makes the {@link StopRequest} of the job, whose fit then
 * checkpoints after its current step and stops, and starts the grace period; when the grace period
 * runs out, or a second SIGTERM comes, the JVM halts at once with the exit code that
 * {@code fallback} returns once it has written the status ({@link TrainingJob#INTERRUPTED}, or the
 * job's own code when it had ended already): the job's newest periodic checkpoint is what a restart
 * resumes from.
 *
 * <p>The JVM's own SIGTERM handling (running the shutdown hooks, then exiting) cannot tell a second
 * SIGTERM from the first, nor let the training thread finish a step while it waits, so the handler
 * replaces it ({@code sun.misc.Signal}, of the jdk.unsupported module that every JDK ships); the
 * job's own exit then runs the shutdown hooks as usual. Where that handler cannot be installed, the
 * JVM keeps its default (exit at once on SIGTERM) and a warning says so.
 */
final class TerminationNotice {
    private static final Logger LOG = LoggerFactory.getLogger(TerminationNotice.class);

    private final StopRequest stop;
    private final Duration grace;
    private final ToIntFunction<String> fallback;
    private final AtomicInteger signals = new AtomicInteger();
    private volatile boolean disarmed;
    private volatile Thread watchdog;

    private TerminationNotice(StopRequest stop, Duration grace, ToIntFunction<String> fallback) {
        this.stop = stop;
        this.grace = grace;
        this.fallback = fallback;
    }

    /**
     * Handles this JVM's SIGTERMs from now on. {@code fallback} receives why the job is cut short
     * just before the JVM halts, writes the status and returns the exit code (a failure is logged,
     * and the code is then {@link TrainingJob#INTERRUPTED}).
     *
     * @return the handler, or null when it cannot be installed
     */
    static TerminationNotice install(StopRequest stop, Duration grace, ToIntFunction<String> fallback) {
        TerminationNotice notice = new TerminationNotice(stop, grace, fallback);
        try {
            Signal.handle(new Signal("TERM"), s -> notice.received());
            return notice;
        } catch (LinkageError | IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("cannot handle SIGTERM in this JVM ({}): an interruption notice ends the job without a fresh "
                    + "checkpoint", e.toString());
            return null;
        }
    }

    /**
     * Stops the grace period's clock and makes later SIGTERMs to this handler do nothing: for a JVM
     * that goes on after its job ended (one that runs the next attempt itself, then installs anew).
     */
    void disarm() {
        disarmed = true;
        Thread w = watchdog;
        if (w != null) {
            w.interrupt();
        }
    }

    private void received() {
        if (disarmed) {
            return;
        }
        int n = signals.incrementAndGet();
        if (n == 1) {
            stop.request(TrainingJob.INTERRUPTED_STATUS);
            LOG.info("SIGTERM: checkpointing after the current step; grace period {} s", JobConfiguration.seconds(grace));
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(grace.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                cutShort("the grace period of " + JobConfiguration.seconds(grace) + " s ran out before the checkpoint");
            }, "termination-grace");
            watchdog.setDaemon(true);
            this.watchdog = watchdog;
            watchdog.start();
        } else if (n == 2) {
            cutShort("a second SIGTERM came before the checkpoint");
        }
    }

    private void cutShort(String why) {
        if (disarmed) {
            return;
        }
        LOG.warn("{}: halting; a restart resumes from the newest periodic checkpoint", why);
        int exit = TrainingJob.INTERRUPTED;
        try {
            exit = fallback.applyAsInt(why);
        } catch (RuntimeException e) {
            LOG.warn("could not write the status: {}", e.toString());
        }
        Runtime.getRuntime().halt(exit);
    }
}
