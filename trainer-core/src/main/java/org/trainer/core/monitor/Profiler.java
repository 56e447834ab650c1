package org.trainer.core.monitor;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.backend.Backend;
import org.trainer.core.train.Phase;
import org.trainer.core.train.StepTimer;

/**
 * Times every training step of a fit, split into {@link Phase}s, and samples memory; turned on
 * with {@code trainer.profiler(profiler)}. The trainer reads {@link System#nanoTime()} at each
 * phase boundary only when a profiler is set, so an unprofiled fit pays nothing.
 *
 * <p>On an asynchronous device (a GPU) the trainer also calls {@link Backend#synchronize()} after
 * the optimizer step, so that a step's time includes its device work: forward and backward then
 * measure the host's time to queue the work (backward includes reading the loss value, which waits
 * for the forward and backward kernels) and {@link Phase#SYNC} the wait for the rest.
 *
 * <p>How busy the device was is measured on the device's own clock
 * ({@link Backend#beginDeviceTiming()}) in every {@code timingInterval}-th profiled step (every
 * {@value #DEFAULT_TIMING_INTERVAL}th by default): the timed step's device time runs from the
 * step's start to its end. Timing slows the host down (a GPU records two events around each
 * operation), so a timed step's host times are left out of the split, the step percentiles and
 * the throughput, and the device's busy share is the mean device time of the timed steps over the
 * mean wall time of the others ({@link ProfileReport#deviceBusyFraction()}). On a backend without
 * a device clock (the CPU) no step is timed.
 *
 * <p>Not thread-safe: one profiler watches one fit at a time. A second fit adds to the figures of
 * the first until {@link #reset()}.
 */
public final class Profiler implements StepTimer {
    /** Every this many profiled steps, one is timed on the device's clock, unless told otherwise. */
    public static final int DEFAULT_TIMING_INTERVAL = 10;

    private static final Logger LOG = LoggerFactory.getLogger(Profiler.class);

    private final int skipSteps;
    private final int timingInterval;
    private final long[][] nanos = new long[Phase.values().length][];
    private final long[] current = new long[Phase.values().length];
    private int steps;
    private int skipped;
    private long samples;
    private Backend backend;
    private long heapPeak;
    private long deviceMemoryPeak = -1;
    /** Whether the current step is timed on the device's clock. */
    private boolean timing;
    private int timedSteps;
    private long deviceNanos;

    /** A profiler that counts every step and times every {@value #DEFAULT_TIMING_INTERVAL}th on the device. */
    public Profiler() {
        this(0);
    }

    /**
     * A profiler that leaves out the first {@code skipSteps} steps of the fit, whose times are
     * dominated by the JIT compiler warming up and by first allocations, and times every
     * {@value #DEFAULT_TIMING_INTERVAL}th profiled step on the device.
     *
     * @param skipSteps the steps left out at the start
     */
    public Profiler(int skipSteps) {
        this(skipSteps, DEFAULT_TIMING_INTERVAL);
    }

    /**
     * A profiler that leaves out the first {@code skipSteps} steps of the fit and times every
     * {@code timingInterval}-th profiled step on the device's clock (the {@code timingInterval}-th,
     * the {@code 2 * timingInterval}-th, ...); 0 times none, and the device's busy share is then
     * only estimated from the host. A smaller interval measures more steps and leaves fewer in the
     * split; 1 leaves none, so at least 2 is needed for a measured busy share.
     *
     * @param skipSteps the steps left out at the start
     * @param timingInterval the interval between steps timed on the device, 0 for none
     * @throws IllegalArgumentException if {@code skipSteps} or {@code timingInterval} is negative
     */
    public Profiler(int skipSteps, int timingInterval) {
        if (skipSteps < 0) {
            throw new IllegalArgumentException("Profiler: skipSteps must be >= 0, got " + skipSteps);
        }
        if (timingInterval < 0) {
            throw new IllegalArgumentException("Profiler: timingInterval must be >= 0 (0: time no step on the"
                    + " device), got " + timingInterval);
        }
        this.skipSteps = skipSteps;
        this.timingInterval = timingInterval;
        for (int p = 0; p < nanos.length; p++) {
            nanos[p] = new long[64];
        }
    }

    /**
     * Called by the trainer when a fit starts, with the backend the model's parameters live on.
     *
     * @param backend the model's backend
     */
    @Override
    public void begin(Backend backend) {
        abandonStep();
        this.backend = backend;
        Arrays.fill(current, 0);
    }

    /**
     * The backend of the fit being profiled, or null before {@link #begin}.
     *
     * @return the backend, or null
     */
    public Backend backend() {
        return backend;
    }

    /** Waits for the device's queued work (no-op on the CPU); called by the trainer after the optimizer step. */
    @Override
    public void synchronize() {
        if (backend != null) {
            backend.synchronize();
        }
    }

    /**
     * Called by the trainer where a step may start (before it asks the loader for the batch), with
     * {@link #endStep} or {@link #abandonStep} to follow: starts the device timing when this step is
     * to be timed. Returns {@link System#nanoTime()} after that, the start of the step's first phase.
     *
     * @return the step's start, in {@link System#nanoTime()} units
     */
    @Override
    public long beginStep() {
        abandonStep();
        if (backend != null && timingInterval > 0 && skipped >= skipSteps
                && (steps + timedSteps + 1) % timingInterval == 0) {
            timing = backend.beginDeviceTiming();
        }
        return System.nanoTime();
    }

    /**
     * Called by the trainer when the step begun last does not happen or does not finish (the loader
     * ran out, a stop was requested, or training failed): forgets the step's figures and ends its
     * device timing unrecorded. A failure to end the timing is
     * logged, not thrown, so that it never hides the exception that ended training.
     */
    @Override
    public void abandonStep() {
        Arrays.fill(current, 0);
        if (!timing) {
            return;
        }
        timing = false;
        try {
            backend.endDeviceTiming();
        } catch (RuntimeException e) {
            LOG.warn("profiler: ending the device timing of an abandoned step failed", e);
        }
    }

    /**
     * Whether the current step is timed on the device's clock (its host times then stay out of the split).
     *
     * @return whether the step is timed on the device
     */
    public boolean timingStep() {
        return timing;
    }

    /**
     * Adds {@code nanos} to the current step's time in {@code phase}; called by the trainer.
     *
     * @param phase the phase
     * @param nanos the time spent in it
     */
    @Override
    public void record(Phase phase, long nanos) {
        current[phase.ordinal()] += nanos;
    }

    /**
     * Closes the current step, which trained on {@code batchSize} samples; called by the trainer.
     *
     * @param batchSize the step's samples
     */
    @Override
    public void endStep(int batchSize) {
        if (skipped < skipSteps) {
            skipped++;
            Arrays.fill(current, 0);
            return;
        }
        if (timing) {
            timing = false;
            long device = backend.endDeviceTiming();
            if (device >= 0) {
                timedSteps++;
                deviceNanos += device;
                Arrays.fill(current, 0);
                sampleMemory();
                return;
            }
            // No measurement after all: an ordinary step.
        }
        if (steps == nanos[0].length) {
            for (int p = 0; p < nanos.length; p++) {
                nanos[p] = Arrays.copyOf(nanos[p], steps * 2);
            }
        }
        for (int p = 0; p < nanos.length; p++) {
            nanos[p][steps] = current[p];
        }
        Arrays.fill(current, 0);
        steps++;
        samples += batchSize;
        sampleMemory();
    }

    private void sampleMemory() {
        Runtime rt = Runtime.getRuntime();
        heapPeak = Math.max(heapPeak, rt.totalMemory() - rt.freeMemory());
        if (backend != null) {
            deviceMemoryPeak = Math.max(deviceMemoryPeak, backend.deviceMemoryUsed());
        }
    }

    /**
     * Number of steps profiled so far (skipped and timed ones excluded).
     *
     * @return the profiled steps
     */
    public int steps() {
        return steps;
    }

    /**
     * Number of steps timed on the device's clock so far.
     *
     * @return the timed steps
     */
    public int timedSteps() {
        return timedSteps;
    }

    /**
     * The interval between steps timed on the device's clock; 0 when none is.
     *
     * @return the interval
     */
    public int timingInterval() {
        return timingInterval;
    }

    /** Forgets every figure. */
    public void reset() {
        abandonStep();
        steps = 0;
        timedSteps = 0;
        deviceNanos = 0;
        skipped = 0;
        samples = 0;
        heapPeak = 0;
        deviceMemoryPeak = -1;
        Arrays.fill(current, 0);
    }

    /**
     * The figures so far: the split, throughput, memory and recommendations.
     *
     * @return the report
     */
    public ProfileReport report() {
        long all = 0;
        for (int p = 0; p < nanos.length; p++) {
            for (int i = 0; i < steps; i++) {
                all += nanos[p][i];
            }
        }
        Map<Phase, PhaseStats> split = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            long[] sorted = Arrays.copyOf(nanos[phase.ordinal()], steps);
            Arrays.sort(sorted);
            long total = 0;
            for (long v : sorted) {
                total += v;
            }
            split.put(phase, new PhaseStats(total, steps == 0 ? Double.NaN : total / (double) steps,
                    rank(sorted, 0.50), rank(sorted, 0.95), steps == 0 ? 0 : sorted[steps - 1],
                    all == 0 ? 0 : total / (double) all));
        }
        long[] stepTimes = new long[steps];
        for (int i = 0; i < steps; i++) {
            for (long[] phase : nanos) {
                stepTimes[i] += phase[i];
            }
        }
        Arrays.sort(stepTimes);
        boolean device = backend != null && backend.deviceMemoryUsed() >= 0;
        Runtime rt = Runtime.getRuntime();
        return new ProfileReport(steps, samples, all, split, rank(stepTimes, 0.50), rank(stepTimes, 0.95),
                all == 0 ? Double.NaN : samples / (all / 1e9),
                rt.totalMemory() - rt.freeMemory(), heapPeak, rt.maxMemory(),
                device ? backend.deviceMemoryUsed() : -1, device ? deviceMemoryPeak : -1,
                device ? backend.deviceMemoryTotal() : -1,
                backend == null ? "none" : backend.device().toString(), timedSteps,
                timedSteps == 0 ? Double.NaN : deviceNanos / (double) timedSteps);
    }

    /** Nearest-rank percentile of sorted values; 0 for none. */
    private static long rank(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
