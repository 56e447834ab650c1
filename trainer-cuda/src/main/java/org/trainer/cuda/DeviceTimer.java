package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Measures how long one GPU spends executing work, for {@link CudaBackend#beginDeviceTiming()}:
 * while it is on, every operation queued on the device (a kernel launch, a cuBLAS product, a copy
 * or fill) is bracketed by two CUDA events on the legacy default stream, and at the end the
 * intervals between each pair are summed. The stream runs its work one operation at a time, so the
 * intervals never overlap, and the idle time between operations falls outside them. An operation
 * queued on an idle device would have its start event reached at once, and its interval would
 * also hold the host's time to launch it (microseconds, about a small kernel's run): so each
 * measurement begins behind a hold kernel that keeps the stream busy while the host queues the
 * work ({@link #nextHoldNanos()}), and the events then bracket each operation's own run. Work queued
 * after a wait on the host (a loss read back) runs on an idle device again and reads a little long.
 *
 * <p>Callers bracket a driver call with {@link #start()} and {@link #stop()}:
 * <pre>{@code
 * boolean timed = timer.start();
 * try {
 *     check(cuLaunchKernel(...));
 * } finally {
 *     if (timed) {
 *         timer.stop();
 *     }
 * }
 * }</pre>
 * When the timer is off, {@link #start()} is one volatile read and returns false: nothing else
 * happens and nothing is allocated. When it is on, start takes a lock that stop releases, so that
 * two threads queueing work at once cannot interleave their events (an interval would then hold
 * the other thread's operation too, counted twice).
 *
 * <p>One timer per device, shared by every backend instance on it and every thread: they all queue
 * on the same stream, so a measurement counts the device's work whoever queued it. Events come from
 * a pool that lives as long as the device; after {@link #MAX_PAIRS} operations in one measurement
 * the timer waits for them and folds their intervals into its total, so that the pool stays bounded.
 */
final class DeviceTimer {
    /** Operations timed before their events are read back and reused within one measurement. */
    static final int MAX_PAIRS = 4096;
    /** Bounds of the hold before a measurement (see {@link #nextHoldNanos()}): 0.2 ms to 50 ms, 2 ms at first. */
    static final long MIN_HOLD_NANOS = 200_000;
    static final long MAX_HOLD_NANOS = 50_000_000;
    static final long FIRST_HOLD_NANOS = 2_000_000;
    /** A stream handle of 0: the legacy default stream, where this module queues all its work. */
    private static final CUstream LEGACY_STREAM = new CUstream();

    private final CudaContext context;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<CUevent> events = new ArrayList<>();
    private final float[] millis = new float[1];
    private volatile boolean on;
    /** Events recorded in the current batch: start and end of each timed operation, in order. */
    private int used;
    /** Device time of the batches already folded, in milliseconds. */
    private double foldedMillis;
    /** When the running measurement began ({@link System#nanoTime()}). */
    private long begunAt;
    /** The host's time to queue the last measurement's work (from begin to its first wait); -1 before one. */
    private long lastHostNanos = -1;
    /** When the host first waited for the device in the running measurement; 0 before it did. */
    private volatile long firstWaitAt;

    DeviceTimer(CudaContext context) {
        this.context = context;
    }

    /** Whether a measurement is running. */
    boolean isOn() {
        return on;
    }

    /**
     * How long the device should hold its stream before the next measurement's work (the caller
     * queues the hold kernel, untimed, then calls {@link #begin()}): half again the host's time to
     * queue the last measurement's work up to its first wait ({@link #hostWaits()}), so that the work is queued while the device is still held,
     * between {@link #MIN_HOLD_NANOS} and {@link #MAX_HOLD_NANOS}; {@link #FIRST_HOLD_NANOS} before
     * the first measurement. Queued behind the hold, each operation's start event is reached only
     * when the operation before it ends, so the interval between its events is its own run; an
     * operation queued on an idle device would also count the host's time to launch it.
     */
    long nextHoldNanos() {
        long last = lastHostNanos;
        return last < 0 ? FIRST_HOLD_NANOS : Math.max(MIN_HOLD_NANOS, Math.min(MAX_HOLD_NANOS, last + last / 2));
    }

    /**
     * Called before the host waits for the device (a download, a synchronisation): the host's time
     * to queue a measurement's work ends at its first wait, which also waits out the hold, so the
     * next hold is sized from the queueing alone and does not grow from one measurement to the next.
     */
    void hostWaits() {
        if (on && firstWaitAt == 0) {
            firstWaitAt = System.nanoTime();
        }
    }

    /** Starts a measurement, dropping one already running. */
    void begin() {
        lock.lock();
        try {
            used = 0;
            foldedMillis = 0;
            begunAt = System.nanoTime();
            firstWaitAt = 0;
            on = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the measurement: waits for all work queued on the device and returns the nanoseconds it
     * spent executing the operations timed since {@link #begin()}; -1 when none was running.
     */
    long end() {
        lock.lock();
        try {
            if (!on) {
                return -1;
            }
            on = false;
            long queued = firstWaitAt == 0 ? System.nanoTime() : firstWaitAt;
            lastHostNanos = queued - begunAt;
            context.makeCurrent();
            CudaCheck.check(cuCtxSynchronize(), "cuCtxSynchronize");
            fold();
            return Math.round(foldedMillis * 1e6);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Before an operation is queued: when a measurement runs, takes the lock and records the start
     * event, and returns true; the caller must then call {@link #stop()} after queueing it. The
     * caller has made the context current.
     */
    boolean start() {
        if (!on) {
            return false;
        }
        lock.lock();
        if (!on) {
            lock.unlock();
            return false;
        }
        try {
            if (used == 2 * MAX_PAIRS) {
                fold();
            }
            record();
            return true;
        } catch (RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
    }

    /** After an operation {@link #start()} returned true for: records its end event and releases the lock. */
    void stop() {
        try {
            record();
        } catch (RuntimeException | Error e) {
            used--; // the start event has no end: drop it, so that the events stay in pairs
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Records the next event of the pool on the legacy default stream. */
    private void record() {
        if (used == events.size()) {
            CUevent e = new CUevent();
            CudaCheck.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
            events.add(e);
        }
        CudaCheck.check(cuEventRecord(events.get(used), LEGACY_STREAM), "cuEventRecord");
        used++;
    }

    /** Waits for the recorded events and adds their intervals to the total; the pool is then free again. */
    private void fold() {
        if (used == 0) {
            return;
        }
        CudaCheck.check(cuEventSynchronize(events.get(used - 1)), "cuEventSynchronize");
        for (int i = 0; i + 1 < used; i += 2) {
            CudaCheck.check(cuEventElapsedTime(millis, events.get(i), events.get(i + 1)), "cuEventElapsedTime");
            foldedMillis += millis[0];
        }
        used = 0;
    }
}
