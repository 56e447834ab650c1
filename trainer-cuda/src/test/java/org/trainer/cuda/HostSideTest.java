package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The host-side logic of the module, which needs no GPU: allocator, PTX versions, layouts, index groups. */
class HostSideTest {

    /** Fake device memory: counts allocations, refuses beyond a capacity. */
    static final class FakeMemory implements RawMemory<long[]> {
        final long capacity;
        long inUse;
        int allocations;
        int frees;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long[] allocate(long bytes) {
            if (inUse + bytes > capacity) {
                return null;
            }
            inUse += bytes;
            allocations++;
            return new long[] {bytes};
        }

        @Override
        public void free(long[] p) {
            inUse -= p[0];
            frees++;
        }

        @Override
        public String describe() {
            return "the fake device has " + (capacity - inUse) + " bytes free";
        }
    }

    @Test
    void bucketsRoundUpByAtMostAQuarter() {
        assertEquals(512, CudaMemoryPool.bucket(1));
        assertEquals(512, CudaMemoryPool.bucket(512));
        assertEquals(640, CudaMemoryPool.bucket(513));
        assertEquals(1024, CudaMemoryPool.bucket(1000));
        for (long b = 1; b < 1 << 24; b = b * 3 + 1) {
            long k = CudaMemoryPool.bucket(b);
            assertTrue(k >= b && (k <= 512 || k <= b * 1.25 + 1), b + " -> " + k);
        }
    }

    @Test
    void poolReusesFreedBlocksAndTracksUsedAndPeak() {
        FakeMemory mem = new FakeMemory(1 << 30);
        CudaMemoryPool<long[]> pool = new CudaMemoryPool<>(mem, "fake:0", Long.MAX_VALUE, () -> { });
        var a = pool.allocate(4000, "a");
        var b = pool.allocate(100_000, "b");
        assertEquals(CudaMemoryPool.bucket(4000) + CudaMemoryPool.bucket(100_000), pool.usedBytes());
        pool.release(a);
        pool.release(b);
        assertEquals(0, pool.usedBytes());
        long peak = pool.peakBytes();
        for (int step = 0; step < 10; step++) {
            var x = pool.allocate(3999, "x");
            var y = pool.allocate(99_000, "y");
            assertSame(a.pointer, x.pointer, "same bucket: the freed block comes back");
            assertSame(b.pointer, y.pointer);
            pool.release(x);
            pool.release(y);
        }
        assertEquals(2, mem.allocations, "a steady state allocates nothing new");
        assertEquals(2, pool.deviceAllocations());
        assertEquals(peak, pool.peakBytes());
        pool.emptyCache();
        assertEquals(0, mem.inUse);
        assertEquals(0, pool.cachedBytes());
    }

    @Test
    void outOfMemorySaysWhatWasAskedForAndWhatIsInUse() {
        FakeMemory mem = new FakeMemory(10 << 20);
        int[] reclaims = {0};
        CudaMemoryPool<long[]> pool = new CudaMemoryPool<>(mem, "fake:0", Long.MAX_VALUE, () -> reclaims[0]++);
        List<Object> live = new ArrayList<>();
        live.add(pool.allocate(6 << 20, "first"));
        var cached = pool.allocate(1 << 20, "second");
        pool.release(cached);
        CudaOutOfMemoryError e = assertThrows(CudaOutOfMemoryError.class,
                () -> pool.allocate(5 << 20, "a FLOAT32 storage of 1310720 elements"));
        String m = e.getMessage();
        assertTrue(m.startsWith("fake:0 out of memory: tried to allocate 5.00 MiB (5242880 bytes)"), m);
        assertTrue(m.contains("a FLOAT32 storage of 1310720 elements"), m);
        assertTrue(m.contains("6.00 MiB (6291456 bytes) in use by live storages"), m);
        assertTrue(m.contains("the fake device has"), m);
        assertEquals(5 << 20, e.requestedBytes());
        assertEquals(6 << 20, e.usedBytes());
        assertEquals(1, reclaims[0], "unreachable storages were reclaimed before giving up");
        assertEquals(1, mem.frees, "the cache went back to the device before giving up");
        assertEquals(1, live.size());
    }

    @Test
    void limitCapsThePool() {
        CudaMemoryPool<long[]> pool = new CudaMemoryPool<>(new FakeMemory(1L << 40), "fake:0", 1 << 20, () -> { });
        pool.allocate(600_000, "a");
        CudaOutOfMemoryError e = assertThrows(CudaOutOfMemoryError.class, () -> pool.allocate(600_000, "b"));
        assertTrue(e.getMessage().contains("trainer.cuda.memoryLimit"), e.getMessage());
    }

    @Test
    void ptxVersionsAndTheUnsupportedMessage() {
        assertEquals("99.0", PtxModules.declaredVersion("//\n.version 99.0\n.target sm_80\n"));
        assertEquals("unknown", PtxModules.declaredVersion(".target sm_80\n"));
        assertEquals("8.0", PtxModules.maxIsa(12000));
        assertEquals("8.4", PtxModules.maxIsa(12040));
        assertEquals("9.0", PtxModules.maxIsa(13000));
        assertEquals("at least 9.0", PtxModules.maxIsa(13020));
        assertEquals("12.4", PtxModules.cudaVersion(12040));
        String m = PtxModules.unsupportedMessage("bad.ptx", "99.0", 12040, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        assertTrue(m.contains("PTX ISA 99.0"), m);
        assertTrue(m.contains("CUDA 12.4 driver supports PTX ISA up to 8.4"), m);
        assertTrue(m.contains("build-ptx.sh"), m);
    }

    /** The shipped kernels must load on CUDA 12.0 drivers (ISA 8.0) and run on A100 and newer. */
    @Test
    void shippedPtxLoadsOnCuda12Drivers() {
        for (String module : new String[] {"elementwise", "reduce", "conv", "random", "optim", "gemm"}) {
            String ptx = PtxModules.resource(module);
            String v = PtxModules.declaredVersion(ptx);
            assertTrue(Double.parseDouble(v) <= 8.0, module + ".ptx declares PTX ISA " + v);
            assertTrue(ptx.contains("\n.target sm_80\n"), module + ".ptx targets sm_80");
        }
    }

    @Test
    void layoutsMergeAxesAndBroadcast() {
        Layout l = Layout.broadcast("binary", new int[] {4, 5, 6}, new int[] {4, 5, 6}, new int[] {1, 1, 6});
        assertEquals(2, l.rank);
        assertArrayEquals(new int[] {20, 6, 0, 0, 0, 0, 0, 0}, l.shape);
        assertArrayEquals(new int[] {6, 1, 0, 0, 0, 0, 0, 0}, l.strides[0]);
        assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 0, 0}, l.strides[1]);
        Layout s = Layout.strided("copy", new int[] {2, 3}, new int[] {1, 2}, new int[] {3, 1});
        assertEquals(2, s.rank);
        Layout scalar = Layout.strided("copy", new int[] {}, new int[] {}, new int[] {});
        assertEquals(1, scalar.rank);
        assertEquals(1, scalar.shape[0]);
        int[] big = {2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};
        int[] st = new int[big.length];
        int[] tr = new int[big.length];
        for (int i = 0; i < big.length; i++) {
            st[i] = 1 << (big.length - i);
            tr[i] = 1 << i;
        }
        assertThrows(UnsupportedOperationException.class, () -> Layout.strided("copy", big, st, tr));
    }

    @Test
    void indexGroupsKeepPositionsInOrder() {
        IndexGroups g = IndexGroups.of(new int[] {3, 1, 3, 0, 1, 3}, 6);
        assertArrayEquals(new int[] {0, 1, 3}, g.rows());
        assertArrayEquals(new int[] {0, 1, 3, 6}, g.start());
        assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, g.positions());
    }
}
