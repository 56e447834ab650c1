package org.trainer.core.monitor;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import org.trainer.core.backend.Backend;

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
 * <p>Not thread-safe: one profiler watches one fit at a time. A second fit adds to the figures of
 * the first until {@link #reset()}.
 */
public final class Profiler {
    private final int skipSteps;
    private final long[][] nanos = new long[Phase.values().length][];
    private final long[] current = new long[Phase.values().length];
    private int steps;
    private int skipped;
    private long samples;
    private Backend backend;
    private long heapPeak;
    private long deviceMemoryPeak = -1;

    /** A profiler that counts every step. */
    public Profiler() {
        this(0);
    }

    /**
     * A profiler that leaves out the first {@code skipSteps} steps of the fit, whose times are
     * dominated by the JIT compiler warming up and by first allocations.
     */
    public Profiler(int skipSteps) {
        if (skipSteps < 0) {
            throw new IllegalArgumentException("Profiler: skipSteps must be >= 0, got " + skipSteps);
        }
        this.skipSteps = skipSteps;
        for (int p = 0; p < nanos.length; p++) {
            nanos[p] = new long[64];
        }
    }

    /** Called by the trainer when a fit starts, with the backend the model's parameters live on. */
    public void begin(Backend backend) {
        this.backend = backend;
        Arrays.fill(current, 0);
    }

    /** The backend of the fit being profiled, or null before {@link #begin}. */
    public Backend backend() {
        return backend;
    }

    /** Waits for the device's queued work (no-op on the CPU); called by the trainer after the optimizer step. */
    public void synchronize() {
        if (backend != null) {
            backend.synchronize();
        }
    }

    /** Adds {@code nanos} to the current step's time in {@code phase}; called by the trainer. */
    public void record(Phase phase, long nanos) {
        current[phase.ordinal()] += nanos;
    }

    /** Closes the current step, which trained on {@code batchSize} samples; called by the trainer. */
    public void endStep(int batchSize) {
        if (skipped < skipSteps) {
            skipped++;
            Arrays.fill(current, 0);
            return;
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
        Runtime rt = Runtime.getRuntime();
        heapPeak = Math.max(heapPeak, rt.totalMemory() - rt.freeMemory());
        if (backend != null) {
            deviceMemoryPeak = Math.max(deviceMemoryPeak, backend.deviceMemoryUsed());
        }
    }

    /** Number of steps profiled so far (skipped ones excluded). */
    public int steps() {
        return steps;
    }

    /** Forgets every figure. */
    public void reset() {
        steps = 0;
        skipped = 0;
        samples = 0;
        heapPeak = 0;
        deviceMemoryPeak = -1;
        Arrays.fill(current, 0);
    }

    /** The figures so far: the split, throughput, memory and recommendations. */
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
                backend == null ? "none" : backend.device().toString());
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
