package org.trainer.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The peer harness's stopwatch, the same procedure as {@code time_per_call} in {@code peers.py}:
 * warm up (the JIT compiles the kernels here), calibrate how many calls fill {@code minSeconds},
 * then time {@code reps} repetitions of that many calls. Best and median seconds per call are kept,
 * since on a shared machine the best shows what the code can do and the median how steady it was.
 *
 * <p>Each repetition also records how many cores the process kept busy (process CPU time over wall
 * time): on a 2-core machine shared with other work, a 2-thread result that kept only 1.1 cores
 * busy says more about the neighbours than about the code.
 */
final class Timing {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final int reps;
    private final double minSeconds;
    private final double warmupSeconds;

    Timing(int reps, double minSeconds, double warmupSeconds) {
        if (reps < 1) {
            throw new IllegalArgumentException("Timing: reps must be >= 1, got " + reps);
        }
        this.reps = reps;
        this.minSeconds = minSeconds;
        this.warmupSeconds = warmupSeconds;
    }

    /**
     * Seconds per call: the best and the median repetition, and the cores busy during the best one
     * (process CPU seconds per wall second).
     */
    record Result(double best, double median, double bestCores) {
        /** As throughput, for a workload of {@code flops} floating-point operations per call. */
        double bestGflops(double flops) {
            return flops / best / 1e9;
        }

        double medianGflops(double flops) {
            return flops / median / 1e9;
        }
    }

    /** One repetition: seconds per call and cores busy. */
    private record Sample(double seconds, double cores) {
    }

    Result measure(Runnable call) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        call.run();
        while (System.nanoTime() < warmupEnd) {
            call.run();
        }
        long start = System.nanoTime();
        call.run();
        double once = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        int calls = (int) Math.max(1, minSeconds / once);
        Sample[] samples = new Sample[reps];
        for (int r = 0; r < reps; r++) {
            long cpuStart = OS.getProcessCpuTime();
            start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            long wall = System.nanoTime() - start;
            long cpu = OS.getProcessCpuTime() - cpuStart;
            samples[r] = new Sample(wall / 1e9 / calls, (double) cpu / wall);
        }
        Arrays.sort(samples, Comparator.comparingDouble(Sample::seconds));
        double median = reps % 2 == 1 ? samples[reps / 2].seconds
                : (samples[reps / 2 - 1].seconds + samples[reps / 2].seconds) / 2;
        return new Result(samples[0].seconds, median, samples[0].cores);
    }
}
