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
 * intervals never overlap, and the idle time between operations falls outside them. One caveat:
 * when the device is idle it reaches a start event as soon as it is recorded, and the interval then
 * also holds the driver's latency until the operation itself starts (microseconds), so a starved
 * device running short kernels reads somewhat busier than it is.
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

    DeviceTimer(CudaContext context) {
        this.context = context;
    }

    /** Whether a measurement is running. */
    boolean isOn() {
        return on;
    }

    /** Starts a measurement, dropping one already running. */
    void begin() {
        lock.lock();
        try {
            used = 0;
            foldedMillis = 0;
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
