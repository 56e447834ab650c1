package org.trainer.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Callback;
import org.trainer.core.train.TrainingContext;

/**
 * A callback that adds the wall seconds of each epoch from {@code firstEpoch} on (0-based; the
 * earlier ones are JIT warm-up) to a list, training and validation included; and, when given more
 * lists, the process's CPU seconds over the same span (all threads, GC and JIT included) and the
 * bytes of heap that the training thread allocated in it.
 */
final class EpochClock implements Callback {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final int firstEpoch;
    private final List<Double> seconds;
    private final List<Double> cpuSeconds;
    private final List<Double> allocatedBytes;
    private long start;
    private long cpuStart;
    private long allocatedStart;

    EpochClock(int firstEpoch, List<Double> seconds) {
        this(firstEpoch, seconds, new ArrayList<>(), new ArrayList<>());
    }

    EpochClock(int firstEpoch, List<Double> seconds, List<Double> cpuSeconds, List<Double> allocatedBytes) {
        this.firstEpoch = firstEpoch;
        this.seconds = seconds;
        this.cpuSeconds = cpuSeconds;
        this.allocatedBytes = allocatedBytes;
    }

    /** Heap bytes allocated so far by the calling thread. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Override
    public void onEpochBegin(TrainingContext t, int epoch) {
        allocatedStart = allocated();
        cpuStart = OS.getProcessCpuTime();
        start = System.nanoTime();
    }

    @Override
    public void onEpochEnd(TrainingContext t, int epoch, Map<String, Double> logs) {
        long end = System.nanoTime();
        if (epoch >= firstEpoch) {
            seconds.add((end - start) / 1e9);
            cpuSeconds.add((OS.getProcessCpuTime() - cpuStart) / 1e9);
            allocatedBytes.add((double) (allocated() - allocatedStart));
        }
    }
}
