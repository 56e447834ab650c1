package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;

/**
 * Device timing with CUDA events: the device time of GEMMs that keep the GPU busy matches their
 * synchronized wall time, idle time between operations is not counted, a measurement longer than
 * the event pool is counted whole, and operations queued from several threads are counted once.
 */
@Tag("gpu")
class DeviceTimingTest {
    /** Slack for the events' resolution (about half a microsecond each) and the driver's latencies. */
    private static final long SLACK_NANOS = 200_000;

    private static Storage random(CudaBackend cuda, int size, long seed) {
        Storage s = cuda.allocate(DType.FLOAT32, size);
        cuda.random(s, false, -1, 1, seed);
        return s;
    }

    private static void gemms(CudaBackend cuda, int count, int n, Storage a, Storage b, Storage c) {
        for (int i = 0; i < count; i++) {
            cuda.matmul(false, false, 1, n, n, n, a, 0, b, 0, c, 0, false);
        }
    }

    @Test
    void theDeviceTimeOfLargeGemmsIsTheirSynchronizedWallTime() {
        CudaBackend cuda = GpuTests.backend();
        int n = 4096;
        Storage a = random(cuda, n * n, 1);
        Storage b = random(cuda, n * n, 2);
        Storage c = cuda.allocate(DType.FLOAT32, n * n);
        gemms(cuda, 2, n, a, b, c); // cuBLAS's first call picks its kernels
        cuda.synchronize();

        long t0 = System.nanoTime();
        gemms(cuda, 5, n, a, b, c);
        cuda.synchronize();
        long untimedWall = System.nanoTime() - t0;

        long hold = CudaDevice.get(0).timer.nextHoldNanos();
        t0 = System.nanoTime();
        assertTrue(cuda.beginDeviceTiming());
        gemms(cuda, 5, n, a, b, c);
        long device = cuda.endDeviceTiming();
        long wall = System.nanoTime() - t0 - hold;

        String figures = "device " + device + " ns, timed wall less the hold " + wall + " ns, untimed wall "
                + untimedWall + " ns ("
                + cuda.gemmName() + ")";
        assertTrue(device > 0 && device <= wall + SLACK_NANOS, figures);
        assertTrue(device >= 0.9 * wall, "the GEMMs keep the device busy: " + figures);
        assertEquals(untimedWall, device, 0.1 * untimedWall, figures);
        assertEquals(-1, cuda.endDeviceTiming(), "no measurement is running any more");
    }

    /**
     * Small kernels queued by the host one after the other, each shorter than the host's time to
     * launch it: a measurement counts their own runs (what they take back to back, queued behind a
     * long hold), not the host's launch time, which is most of the wall time here.
     */
    @Test
    void smallOperationsCountTheirOwnRunNotTheHostsTimeToLaunchThem() {
        CudaBackend cuda = GpuTests.backend();
        CudaDevice dev = CudaDevice.get(0);
        Storage s = cuda.allocate(DType.FLOAT32, 1024);
        int ops = 2000;
        cuda.synchronize();
        CUevent e0 = new CUevent();
        CUevent e1 = new CUevent();
        CudaCheck.check(cuEventCreate(e0, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        CudaCheck.check(cuEventCreate(e1, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        dev.kernels.launchGrid("elementwise", "hold", 1, 1, 1, 1, 1, 500_000_000L);
        CudaCheck.check(cuEventRecord(e0, null), "cuEventRecord");
        for (int i = 0; i < ops; i++) {
            cuda.unary(UnaryOp.NEG, 0, s, s);
        }
        CudaCheck.check(cuEventRecord(e1, null), "cuEventRecord");
        CudaCheck.check(cuEventSynchronize(e1), "cuEventSynchronize");
        float[] ms = new float[1];
        CudaCheck.check(cuEventElapsedTime(ms, e0, e1), "cuEventElapsedTime");
        long backToBack = Math.round(ms[0] * 1e6);

        long device = 0;
        long wall = 0;
        for (int round = 0; round < 3; round++) { // the first measurement sizes the hold of the next
            long t0 = System.nanoTime();
            assertTrue(cuda.beginDeviceTiming());
            for (int i = 0; i < ops; i++) {
                cuda.unary(UnaryOp.NEG, 0, s, s);
            }
            device = cuda.endDeviceTiming();
            wall = System.nanoTime() - t0;
        }
        String figures = "measured " + device + " ns, back to back " + backToBack + " ns, wall " + wall + " ns for "
                + ops + " small kernels";
        assertTrue(device <= 1.2 * backToBack + SLACK_NANOS, figures);
        assertTrue(device >= 0.3 * backToBack, figures);
        System.out.println(figures);
    }

    @Test
    void idleTimeBetweenOperationsIsNotCounted() throws InterruptedException {
        CudaBackend cuda = GpuTests.backend();
        Storage s = cuda.allocate(DType.FLOAT32, 1 << 16);
        cuda.synchronize();
        assertTrue(cuda.beginDeviceTiming());
        cuda.fill(s, 1);
        Thread.sleep(50);
        cuda.unary(UnaryOp.EXP, 0, s, s);
        long device = cuda.endDeviceTiming();
        assertTrue(device > 0 && device < 5_000_000, "two small operations 50 ms apart: " + device + " ns");
        assertEquals(Math.exp(1), cuda.toFloatArray(s)[0], 1e-6);
    }

    @Test
    void aMeasurementLongerThanTheEventPoolIsCountedWhole() {
        CudaBackend cuda = GpuTests.backend();
        Storage s = cuda.allocate(DType.FLOAT32, 1 << 20);
        cuda.synchronize();
        int ops = 3 * DeviceTimer.MAX_PAIRS + 7;
        long t0 = System.nanoTime();
        assertTrue(cuda.beginDeviceTiming());
        for (int i = 0; i < ops; i++) {
            cuda.fill(s, i);
        }
        long device = cuda.endDeviceTiming();
        long wall = System.nanoTime() - t0;
        assertTrue(device > 0 && device <= wall + SLACK_NANOS, "device " + device + " ns, wall " + wall + " ns");
        assertEquals(ops - 1, cuda.toFloatArray(s)[0]);

        // A fill of 4 MiB takes microseconds: the whole count must add up to far more than one pool's worth.
        assertTrue(cuda.beginDeviceTiming());
        for (int i = 0; i < DeviceTimer.MAX_PAIRS / 4; i++) {
            cuda.fill(s, i);
        }
        long quarterPool = cuda.endDeviceTiming();
        assertTrue(device > 8 * quarterPool, "all " + ops + " fills " + device + " ns, " + DeviceTimer.MAX_PAIRS / 4
                + " fills " + quarterPool + " ns");
    }

    @Test
    void operationsFromSeveralThreadsAreCountedOnce() throws InterruptedException {
        CudaBackend cuda = GpuTests.backend();
        int n = 2048;
        Storage a = random(cuda, n * n, 3);
        Storage b = random(cuda, n * n, 4);
        gemms(cuda, 2, n, a, b, cuda.allocate(DType.FLOAT32, n * n));
        cuda.synchronize();

        assertTrue(cuda.beginDeviceTiming());
        gemms(cuda, 6, n, a, b, cuda.allocate(DType.FLOAT32, n * n));
        long alone = cuda.endDeviceTiming();

        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        assertTrue(cuda.beginDeviceTiming());
        for (int t = 0; t < 2; t++) {
            Storage c = cuda.allocate(DType.FLOAT32, n * n);
            Thread th = new Thread(() -> {
                try {
                    gemms(cuda, 3, n, a, b, c);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        long together = cuda.endDeviceTiming();
        long wall = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        String figures = "six GEMMs from one thread " + alone + " ns, from two threads " + together + " ns, wall "
                + wall + " ns";
        assertTrue(together <= wall + SLACK_NANOS, figures);
        assertEquals(alone, together, 0.2 * alone, figures);
    }
}
