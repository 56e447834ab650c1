package org.trainer.core.train;

import org.trainer.core.backend.Backend;

/**
 * What {@link Trainer#fit} tells about the time of its steps, when one is given
 * ({@link Trainer#profiler}): the loop's side of a profiler ({@code org.trainer.core.monitor.Profiler}
 * is the library's). The calls come from the training thread, in this order per fit: {@link #begin},
 * then for each step {@link #beginStep}, {@link #record} per {@link Phase} as it ends and
 * {@link #synchronize} after the optimizer, and {@link #endStep} or, when the step does not happen
 * or finish, {@link #abandonStep}. Without a timer the loop reads no clock.
 */
public interface StepTimer {

    /**
     * A fit starts, with the backend the model's parameters live on.
     *
     * @param backend the model's backend
     */
    void begin(Backend backend);

    /**
     * A step may start (before the loader is asked for its batch).
     *
     * @return {@link System#nanoTime()} at the start of the step's first phase
     */
    long beginStep();

    /**
     * The step begun last does not happen or does not finish (the loader ran out, a stop was
     * requested, or training failed); must not throw.
     */
    void abandonStep();

    /**
     * The current step spent {@code nanos} in {@code phase}.
     *
     * @param phase the phase
     * @param nanos the time spent in it
     */
    void record(Phase phase, long nanos);

    /** Waits for the device's queued work, after the optimizer step (so that its time is the step's). */
    void synchronize();

    /**
     * The current step ended, having trained on {@code batchSize} samples.
     *
     * @param batchSize the step's samples
     */
    void endStep(int batchSize);
}
