package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Phase;

/**
 * What a {@link Profiler} measured over the profiled steps of a fit.
 *
 * <p>Recommendations, with their thresholds ({@link #recommendations()}):
 * <ul>
 *   <li>data wait over {@value #DATA_WAIT_THRESHOLD} of the step time: the model waits for batches;
 *       more loader workers or a deeper prefetch;</li>
 *   <li>device busy under {@value #DEVICE_BUSY_THRESHOLD} of the step time (on a device only, measured
 *       where the device has a clock, see {@link #deviceBusyFraction()}): larger batches, or a data
 *       bottleneck;</li>
 *   <li>"other" (metrics, callbacks, checkpoints) over {@value #OTHER_THRESHOLD}: compute metrics or
 *       write checkpoints less often;</li>
 *   <li>heap or device memory at its peak over {@value #MEMORY_THRESHOLD} of the maximum: smaller
 *       batches or more memory.</li>
 * </ul>
 *
 * <p>Steps timed on the device's clock (every {@link Profiler#timingInterval()}-th) count only
 * towards {@link #timedSteps} and {@link #deviceBusyNanosPerStep}: their host times, slowed by the
 * timing, stay out of the split, the step percentiles and the throughput.
 *
 * @param steps             profiled steps (skipped and timed ones excluded)
 * @param samples           training samples in those steps
 * @param totalNanos        the sum of all phases over all steps (the profiled step time)
 * @param phases            per-phase figures, every {@link Phase} present
 * @param stepP50Nanos      the median step time
 * @param stepP95Nanos      the 95th-percentile step time
 * @param samplesPerSecond  samples / (totalNanos / 1e9)
 * @param heapUsed          heap bytes in use when the report was made
 * @param heapPeak          the most heap in use at the end of a step
 * @param heapMax           the heap's limit (-Xmx)
 * @param deviceMemoryUsed  device bytes held by live storages, -1 on the CPU
 * @param deviceMemoryPeak  the most device bytes at the end of a step, -1 on the CPU
 * @param deviceMemoryTotal the device's memory, -1 on the CPU
 * @param device            the device the model trained on, e.g. "cpu" or "cuda:0"
 * @param timedSteps        steps timed on the device's clock; 0 on a backend without one (the CPU)
 * @param deviceBusyNanosPerStep the mean time the device spent executing work in a timed step, in
 *                          nanoseconds; NaN without a timed step
 */
public record ProfileReport(int steps, long samples, long totalNanos, Map<Phase, PhaseStats> phases,
                            long stepP50Nanos, long stepP95Nanos, double samplesPerSecond, long heapUsed,
                            long heapPeak, long heapMax, long deviceMemoryUsed, long deviceMemoryPeak,
                            long deviceMemoryTotal, String device, int timedSteps, double deviceBusyNanosPerStep) {
    /** Data wait above this share of the step time asks for more loader workers or prefetch. */
    public static final double DATA_WAIT_THRESHOLD = 0.30;
    /** A device busy for less than this share of the step time is under-used. */
    public static final double DEVICE_BUSY_THRESHOLD = 0.50;
    /** Metrics, callbacks and checkpoints above this share of the step time slow training down. */
    public static final double OTHER_THRESHOLD = 0.20;
    /** Memory at its peak above this share of the maximum risks running out. */
    public static final double MEMORY_THRESHOLD = 0.90;

    /**
     * Keeps an unmodifiable copy of the phases.
     *
     * @param steps profiled steps (skipped and timed ones excluded)
     * @param samples training samples in those steps
     * @param totalNanos the sum of all phases over all steps (the profiled step time)
     * @param phases per-phase figures, every {@link Phase} present
     * @param stepP50Nanos the median step time
     * @param stepP95Nanos the 95th-percentile step time
     * @param samplesPerSecond samples / (totalNanos / 1e9)
     * @param heapUsed heap bytes in use when the report was made
     * @param heapPeak the most heap in use at the end of a step
     * @param heapMax the heap's limit (-Xmx)
     * @param deviceMemoryUsed device bytes held by live storages, -1 on the CPU
     * @param deviceMemoryPeak the most device bytes at the end of a step, -1 on the CPU
     * @param deviceMemoryTotal the device's memory, -1 on the CPU
     * @param device the device the model trained on, e.g. "cpu" or "cuda:0"
     * @param timedSteps steps timed on the device's clock; 0 on a backend without one (the CPU)
     * @param deviceBusyNanosPerStep the mean time the device spent executing work in a timed step, in nanoseconds; NaN
     *     without a timed step
     */
    public ProfileReport {
        phases = Collections.unmodifiableMap(new EnumMap<>(phases));
    }

    /**
     * A report without device timing: no timed step.
     *
     * @param steps profiled steps (skipped and timed ones excluded)
     * @param samples training samples in those steps
     * @param totalNanos the sum of all phases over all steps (the profiled step time)
     * @param phases per-phase figures, every {@link Phase} present
     * @param stepP50Nanos the median step time
     * @param stepP95Nanos the 95th-percentile step time
     * @param samplesPerSecond samples / (totalNanos / 1e9)
     * @param heapUsed heap bytes in use when the report was made
     * @param heapPeak the most heap in use at the end of a step
     * @param heapMax the heap's limit (-Xmx)
     * @param deviceMemoryUsed device bytes held by live storages, -1 on the CPU
     * @param deviceMemoryPeak the most device bytes at the end of a step, -1 on the CPU
     * @param deviceMemoryTotal the device's memory, -1 on the CPU
     * @param device the device the model trained on, e.g. "cpu" or "cuda:0"
     */
    public ProfileReport(int steps, long samples, long totalNanos, Map<Phase, PhaseStats> phases, long stepP50Nanos,
                         long stepP95Nanos, double samplesPerSecond, long heapUsed, long heapPeak, long heapMax,
                         long deviceMemoryUsed, long deviceMemoryPeak, long deviceMemoryTotal, String device) {
        this(steps, samples, totalNanos, phases, stepP50Nanos, stepP95Nanos, samplesPerSecond, heapUsed, heapPeak,
                heapMax, deviceMemoryUsed, deviceMemoryPeak, deviceMemoryTotal, device, 0, Double.NaN);
    }

    /**
     * True when the model trained on a device with its own memory (a GPU), where device figures apply.
     *
     * @return whether the model trained on a device
     */
    public boolean onDevice() {
        return deviceMemoryTotal >= 0;
    }

    /**
     * The share of the step time in {@code phase}, in [0, 1].
     *
     * @param phase the phase
     * @return its share
     */
    public double fraction(Phase phase) {
        return phases.get(phase).fraction();
    }

    /**
     * True when {@link #deviceBusyFraction()} is measured on the device's clock: at least one step
     * was timed there and at least one was not (the untimed ones give the step's wall time).
     *
     * @return whether the busy fraction was measured
     */
    public boolean deviceBusyMeasured() {
        return timedSteps > 0 && steps > 0 && totalNanos > 0 && !Double.isNaN(deviceBusyNanosPerStep);
    }

    /**
     * The share of the step time the device was executing work, in [0, 1]; NaN on the CPU.
     *
     * <p>Measured ({@link #deviceBusyMeasured()}): the mean device time of the timed steps (the
     * kernels, products and copies, summed on the device's clock; idle gaps between them not
     * counted) over the mean wall time of the untimed steps, capped at 1 (the timed steps are a
     * sample). A backend measures each operation's own run, not the host's time to launch it (the
     * CUDA backend holds its stream at the start of a timed step so that the step's work queues up
     * behind it); work queued after the host waited for the device (a loss read back) may read a
     * little long.
     *
     * <p>Otherwise, on a device, estimated from the host as forward + backward + optimizer + sync
     * over the step: the trainer waits for the device at the end of every profiled step, so the
     * device cannot have been busy outside those phases, and it is counted busy inside them (an
     * upper bound: the host's time to queue kernels counts as busy).
     *
     * @return the busy fraction
     */
    public double deviceBusyFraction() {
        if (deviceBusyMeasured()) {
            return Math.min(1, deviceBusyNanosPerStep / (totalNanos / (double) steps));
        }
        if (!onDevice()) {
            return Double.NaN;
        }
        return fraction(Phase.FORWARD) + fraction(Phase.BACKWARD) + fraction(Phase.OPTIMIZER) + fraction(Phase.SYNC);
    }

    /**
     * How {@link #deviceBusyFraction()} was found, for reports: measured on how many steps, or estimated.
     *
     * @return the description
     */
    public String deviceBusySource() {
        if (deviceBusyMeasured()) {
            return "measured on the device's clock in " + timedSteps + " timed step" + (timedSteps == 1 ? "" : "s");
        }
        return onDevice() ? "at most: estimated from the host's phases" : "not applicable";
    }

    /**
     * What to change, from the split and the memory figures; empty when no threshold is crossed.
     *
     * @return the recommendations
     */
    public List<Recommendation> recommendations() {
        List<Recommendation> out = new ArrayList<>();
        if (steps == 0) {
            return out;
        }
        double data = fraction(Phase.DATA);
        if (data > DATA_WAIT_THRESHOLD) {
            out.add(new Recommendation(String.format("data wait is %.0f%% of the step time (threshold %.0f%%)",
                    100 * data, 100 * DATA_WAIT_THRESHOLD),
                    "the model waits for batches: use more loader workers (DataLoader.builder(...).workers(n)) or a"
                            + " deeper prefetch (prefetch(k)), keep decoding and augmentation cheap, or hold the data"
                            + " in memory"));
        }
        double busy = deviceBusyFraction();
        if (!Double.isNaN(busy) && busy < DEVICE_BUSY_THRESHOLD) {
            out.add(new Recommendation(String.format("the device is busy %.0f%% of the step time (%s; threshold %.0f%%)",
                    100 * busy, deviceBusySource(), 100 * DEVICE_BUSY_THRESHOLD),
                    data > DATA_WAIT_THRESHOLD ? "a data bottleneck: feed the device faster (see data wait)"
                            : "use larger batches so that each step gives the device more work"));
        }
        double other = fraction(Phase.OTHER);
        if (other > OTHER_THRESHOLD) {
            out.add(new Recommendation(String.format("metrics, callbacks and checkpoints take %.0f%% of the step"
                            + " time (threshold %.0f%%)", 100 * other, 100 * OTHER_THRESHOLD),
                    "compute costly metrics on validation only, write checkpoints less often, or make callbacks"
                            + " cheaper"));
        }
        if (heapMax > 0 && heapPeak > MEMORY_THRESHOLD * heapMax) {
            out.add(new Recommendation(String.format("the heap peaked at %.0f%% of its maximum (threshold %.0f%%)",
                    100.0 * heapPeak / heapMax, 100 * MEMORY_THRESHOLD),
                    "raise -Xmx or use smaller batches"));
        }
        if (onDevice() && deviceMemoryTotal > 0 && deviceMemoryPeak > MEMORY_THRESHOLD * deviceMemoryTotal) {
            out.add(new Recommendation(String.format("device memory peaked at %.0f%% of the device's (threshold %.0f%%)",
                    100.0 * deviceMemoryPeak / deviceMemoryTotal, 100 * MEMORY_THRESHOLD),
                    "use smaller batches or a smaller model"));
        }
        return out;
    }

    /** A plain-text table of the split, the throughput, memory and the recommendations. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("profile of %d steps%s on %s: %.1f samples/s, step p50 %.2f"
                + " ms, p95 %.2f ms%n", steps, timedSteps == 0 ? "" : " (and " + timedSteps + " timed on the device)",
                device, samplesPerSecond, stepP50Nanos / 1e6, stepP95Nanos / 1e6));
        sb.append(String.format("%-12s %10s %10s %10s %10s %7s%n", "phase", "total ms", "mean ms", "p50 ms", "p95 ms", "share"));
        for (Map.Entry<Phase, PhaseStats> e : phases.entrySet()) {
            PhaseStats s = e.getValue();
            sb.append(String.format("%-12s %10.1f %10.3f %10.3f %10.3f %6.1f%%%n", e.getKey().label(),
                    s.totalNanos() / 1e6, s.meanNanos() / 1e6, s.p50Nanos() / 1e6, s.p95Nanos() / 1e6,
                    100 * s.fraction()));
        }
        sb.append(String.format("heap %.1f MiB used, peak %.1f MiB, max %.1f MiB%n", heapUsed / 1048576.0,
                heapPeak / 1048576.0, heapMax / 1048576.0));
        if (onDevice()) {
            sb.append(String.format("device memory %.1f MiB used, peak %.1f MiB, total %.1f MiB%n",
                    deviceMemoryUsed / 1048576.0, deviceMemoryPeak / 1048576.0, deviceMemoryTotal / 1048576.0));
        }
        double busy = deviceBusyFraction();
        if (!Double.isNaN(busy)) {
            sb.append(String.format("device busy %.0f%% of the step time (%s)%n", 100 * busy, deviceBusySource()));
        }
        recommendations().forEach(r -> sb.append("recommendation: ").append(r).append('\n'));
        return sb.toString();
    }
}
