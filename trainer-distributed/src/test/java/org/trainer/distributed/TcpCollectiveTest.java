package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.distributed.Ranks.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpCollectiveTest {
    private static final int[] SIZES = {0, 1, 7, 1000, 1_000_003};

    @TempDir
    Path dir;

    /** The options of the groups under test: here the sockets carry every operation. */
    TcpCollective.Options options() {
        return TcpGroup.options().withSharedMemory(false);
    }

    /** Integer-valued data: every partial sum is exact, so the ring's order cannot change the result. */
    private static float intValue(int rank, int i) {
        return (i % 1013) * (rank + 1) - 37;
    }

    private static float expectedIntSum(int world, int i) {
        return (i % 1013) * (world * (world + 1) / 2) - 37 * world;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void allReduceSumsFloat32ExactlyOnEveryRankForSizesThatDoNotDivide(int world) throws Exception {
        List<Collective> ranks = TcpGroup.connect(world, dir, options());
        try {
            for (int n : SIZES) {
                List<float[]> got = run(ranks, c -> {
                    float[] a = new float[n + 3];
                    for (int i = 0; i < n; i++) {
                        a[i + 2] = intValue(c.rank(), i);
                    }
                    a[0] = -5;
                    a[n + 2] = 99;
                    c.allReduce(a, 2, n, ReduceOp.SUM);
                    return a;
                });
                float[] expected = new float[n + 3];
                expected[0] = -5;
                expected[n + 2] = 99;
                for (int i = 0; i < n; i++) {
                    expected[i + 2] = expectedIntSum(world, i);
                }
                for (float[] a : got) {
                    assertArrayEquals(expected, a, "n = " + n + ", world " + world);
                }
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void allReduceOfFractionsIsBitwiseIdenticalOnEveryRankAndCloseToTheSum(int world) throws Exception {
        // Small frames: a 10,007-element array crosses the ring in many pipelined frames per segment.
        List<Collective> ranks = TcpGroup.connect(world, dir, options().withChunkBytes(512));
        try {
            for (ReduceOp op : ReduceOp.values()) {
                int n = 10_007;
                List<float[]> f32 = run(ranks, c -> {
                    float[] a = randomFloats(c.rank(), n);
                    c.allReduce(a, 0, n, op);
                    return a;
                });
                List<double[]> f64 = run(ranks, c -> {
                    double[] a = randomDoubles(c.rank(), n);
                    c.allReduce(a, 0, n, op);
                    return a;
                });
                double divisor = op == ReduceOp.MEAN ? world : 1;
                float[][] inF = new float[world][];
                double[][] inD = new double[world][];
                for (int r = 0; r < world; r++) {
                    inF[r] = randomFloats(r, n);
                    inD[r] = randomDoubles(r, n);
                }
                for (int i = 0; i < n; i++) {
                    double sf = 0;
                    double sd = 0;
                    for (int r = 0; r < world; r++) {
                        sf += inF[r][i];
                        sd += inD[r][i];
                    }
                    assertEquals(sf / divisor, f32.get(0)[i], 1e-5, "float32 " + op + " element " + i);
                    assertEquals(sd / divisor, f64.get(0)[i], 1e-12, "float64 " + op + " element " + i);
                }
                for (int r = 1; r < world; r++) {
                    assertArrayEquals(f32.get(0), f32.get(r), "float32 " + op + " rank " + r + " differs from rank 0");
                    assertArrayEquals(f64.get(0), f64.get(r), "float64 " + op + " rank " + r + " differs from rank 0");
                }
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    private static float[] randomFloats(int rank, int n) {
        SplittableRandom random = new SplittableRandom(17 + rank);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextDouble() * 2 - 1) * (1 + i % 5);
        }
        return a;
    }

    private static double[] randomDoubles(int rank, int n) {
        SplittableRandom random = new SplittableRandom(91 + rank);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextDouble() * 2 - 1) / (1 + i % 3);
        }
        return a;
    }

    @Test
    void float64MeanOfIntegersOverThreeRanksOnALargeArray() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options());
        try {
            int n = 300_001;
            List<double[]> got = run(ranks, c -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = intValue(c.rank(), i);
                }
                c.allReduce(a, 0, n, ReduceOp.MEAN);
                return a;
            });
            for (double[] a : got) {
                for (int i = 0; i < n; i++) {
                    if (a[i] != expectedIntSum(3, i) / 3.0) {
                        assertEquals(expectedIntSum(3, i) / 3.0, a[i], "element " + i);
                    }
                }
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void broadcastCopiesEachRootsValues(int world) throws Exception {
        List<Collective> ranks = TcpGroup.connect(world, dir, options().withChunkBytes(64));
        try {
            for (int root = 0; root < world; root++) {
                int from = root;
                List<double[]> got = run(ranks, c -> {
                    double[] a = new double[41];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = c.rank() * 1000 + i;
                    }
                    c.broadcast(a, 1, 39, from);
                    return a;
                });
                for (int r = 0; r < world; r++) {
                    double[] a = got.get(r);
                    assertEquals(r * 1000, a[0]);
                    assertEquals(r * 1000 + 40, a[40]);
                    for (int i = 1; i < 40; i++) {
                        assertEquals(from * 1000 + i, a[i], "root " + from + ", rank " + r + ", element " + i);
                    }
                }
                List<float[]> empty = run(ranks, c -> {
                    float[] a = {c.rank()};
                    c.broadcast(a, 0, 0, from);
                    c.broadcast(a, 0, 1, from);
                    return a;
                });
                empty.forEach(a -> assertArrayEquals(new float[] {from}, a));
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void allGatherReturnsEachRanksBytesOfDifferentLengthsAndBarrierReturns() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options().withChunkBytes(64));
        try {
            List<byte[][]> got = run(ranks, c -> {
                c.barrier();
                byte[][] out = c.allGather(("rank-" + "x".repeat(c.rank() * 100)).getBytes(StandardCharsets.UTF_8));
                c.barrier();
                return out;
            });
            for (byte[][] all : got) {
                assertEquals(3, all.length);
                for (int r = 0; r < 3; r++) {
                    assertEquals("rank-" + "x".repeat(r * 100), new String(all[r], StandardCharsets.UTF_8));
                }
            }
            List<byte[][]> empties = run(ranks, c -> c.allGather(new byte[0]));
            empties.forEach(all -> assertEquals(List.of(0, 0, 0), List.of(all[0].length, all[1].length, all[2].length)));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void sendAndRecvWorkBothWaysBetweenNeighbours() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options().withChunkBytes(64));
        try {
            List<double[]> got = run(ranks, c -> {
                int r = c.rank();
                float[] fromPrev = new float[50];
                double[] fromNext = new double[20];
                // Every rank sends to both others first: sends do not wait for the receivers.
                float[] f = new float[50];
                java.util.Arrays.fill(f, r + 0.5f);
                double[] d = new double[20];
                java.util.Arrays.fill(d, r * 10.0);
                c.send((r + 1) % 3, f, 0, 50);
                c.send((r + 2) % 3, d, 0, 20);
                c.recv((r + 2) % 3, fromPrev, 0, 50);
                c.recv((r + 1) % 3, fromNext, 0, 20);
                // A pair in both directions, then a collective: the connections stay in step.
                c.allReduce(new float[4], 0, 4, ReduceOp.SUM);
                return new double[] {fromPrev[0], fromPrev[49], fromNext[0], fromNext[19]};
            });
            for (int r = 0; r < 3; r++) {
                int p = (r + 2) % 3;
                int n = (r + 1) % 3;
                assertArrayEquals(new double[] {p + 0.5, p + 0.5, n * 10.0, n * 10.0}, got.get(r), "rank " + r);
            }
            // Rank 0 and rank 2 both ways over their direct connection; rank 1 idles.
            List<float[]> pair = run(ranks, c -> {
                float[] a = new float[2];
                if (c.rank() == 0) {
                    c.send(2, new float[] {1, 2}, 0, 2);
                    c.recv(2, a, 0, 2);
                } else if (c.rank() == 2) {
                    c.recv(0, a, 0, 2);
                    c.send(0, new float[] {a[0] * 3, a[1] * 3}, 0, 2);
                }
                return a;
            });
            assertArrayEquals(new float[] {3, 6}, pair.get(0));
            assertArrayEquals(new float[] {1, 2}, pair.get(2));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void recvRefusesAnotherLengthOrDtypeNamingBoth() throws Exception {
        List<Collective> ranks = TcpGroup.connect(2, dir, options());
        try {
            List<String> got = run(ranks, c -> {
                if (c.rank() == 0) {
                    c.send(1, new float[5], 0, 5);
                    return "";
                }
                return assertThrows(CollectiveException.class, () -> c.recv(0, new float[4], 0, 4)).getMessage();
            });
            assertTrue(got.get(1).contains("recv(float32) from rank 0 on rank 1: rank 0 sent 5 elements, rank 1"
                    + " expected 4"), got.get(1));
        } finally {
            TcpGroup.closeAll(ranks);
        }
        List<Collective> again = TcpGroup.connect(2, dir, options());
        try {
            List<String> got = run(again, c -> {
                if (c.rank() == 0) {
                    c.send(1, new double[2], 0, 2);
                    return "";
                }
                return assertThrows(CollectiveException.class, () -> c.recv(0, new float[2], 0, 2)).getMessage();
            });
            assertTrue(got.get(1).contains("rank 0 sent send(float64), rank 1 expected send(float32)"), got.get(1));
        } finally {
            TcpGroup.closeAll(again);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void ranksThatDisagreeOnTheLengthAreAllRefused(int world) throws Exception {
        List<Collective> ranks = TcpGroup.connect(world, dir, options());
        try {
            List<String> got = run(ranks, c -> {
                int n = c.rank() == 1 ? 100 : 120;
                CollectiveException e = assertThrows(CollectiveException.class,
                        () -> c.allReduce(new float[n], 0, n, ReduceOp.SUM));
                CollectiveException after = assertThrows(CollectiveException.class, c::barrier);
                assertTrue(after.getMessage().contains("the group failed earlier"), after.getMessage());
                return e.getMessage();
            });
            for (String m : got) {
                assertTrue(m.startsWith("allReduce(float32, SUM) on rank "), m);
                assertTrue(m.matches(".*rank \\d sent (100|120) elements, rank \\d expected (100|120).*"), m);
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void ranksThatDisagreeOnTheOpOrTheRootAreRefused() throws Exception {
        List<Collective> ranks = TcpGroup.connect(2, dir, options());
        try {
            List<String> got = run(ranks, c -> assertThrows(CollectiveException.class,
                    () -> c.allReduce(new double[3], 0, 3, c.rank() == 0 ? ReduceOp.SUM : ReduceOp.MEAN)).getMessage());
            assertTrue(got.get(0).contains("rank 1 reduces with MEAN, rank 0 with SUM")
                    || got.get(0).contains("rank 1 reduces with MEAN"), got.get(0));
            assertTrue(got.get(1).contains("rank 0 reduces with SUM, rank 1 with MEAN"), got.get(1));
        } finally {
            TcpGroup.closeAll(ranks);
        }
        List<Collective> again = TcpGroup.connect(3, dir, options());
        try {
            // Ranks 0 and 1 broadcast from root 0, rank 2 from root 2: the roots see it at once; rank 1, which
            // got root 0's data as it asked, learns of the failure in its next operation.
            List<String> got = run(again, c -> {
                String m = "";
                try {
                    c.broadcast(new float[3], 0, 3, c.rank() == 2 ? 2 : 0);
                } catch (CollectiveException e) {
                    m = e.getMessage();
                }
                if (c.rank() == 1) {
                    m += " | " + assertThrows(CollectiveException.class, c::barrier).getMessage();
                }
                return m;
            });
            assertTrue(got.get(0).contains("rank 2 broadcasts from root 2, rank 0 from root 0"), got.get(0));
            assertTrue(got.get(2).contains("rank 1 broadcasts from root 0, rank 2 from root 2"), got.get(2));
            assertTrue(got.get(1).contains("broadcasts from root"), got.get(1));
        } finally {
            TcpGroup.closeAll(again);
        }
    }

    @Test
    void aCorruptedPayloadIsRefusedByItsCrcNotSummed() throws Exception {
        List<Collective> ranks = TcpGroup.connect(2, dir, TcpGroup.options().withSharedMemory(false));
        try {
            ((TcpCollective) ranks.get(0)).corruptNextFrame = true;
            List<String> got = run(ranks, c -> assertThrows(CollectiveException.class,
                    () -> c.allReduce(new float[] {1, 2, 3, 4}, 0, 4, ReduceOp.SUM)).getMessage());
            assertTrue(got.get(1).matches("allReduce\\(float32, SUM\\) on rank 1: rank 0 sent a frame of 8 bytes whose"
                    + " CRC32C is 0x[0-9a-f]{8}, but its bytes give 0x[0-9a-f]{8}: the data was damaged in transit"),
                    got.get(1));
            assertTrue(got.get(0).contains("CRC32C") && got.get(0).contains("reported by rank 1"), got.get(0));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void aRankThatClosesFailsItsNeighboursPromptlyNamingIt() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options().withTimeout(Duration.ofSeconds(60)));
        try {
            List<String> got = run(ranks, c -> {
                if (c.rank() == 1) {
                    sleep(200);
                    c.close();
                    return "closed";
                }
                long t0 = System.nanoTime();
                String m = assertThrows(CollectiveException.class,
                        () -> c.allReduce(new float[10], 0, 10, ReduceOp.SUM)).getMessage();
                assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took " + (System.nanoTime() - t0) / 1e9 + " s");
                return m;
            });
            assertTrue(got.get(0).contains("rank 1 closed its collective"), got.get(0));
            assertTrue(got.get(2).contains("rank 1 closed its collective"), got.get(2));
            assertThrows(IllegalStateException.class, () -> ranks.get(1).barrier());
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void aRankThatStopsAnsweringIsNamedAfterTheTimeout() throws Exception {
        List<Collective> ranks = TcpGroup.connect(2, dir, options().withTimeout(Duration.ofMillis(500)));
        try {
            List<String> got = run(ranks, c -> {
                if (c.rank() == 1) {
                    return "absent";
                }
                long t0 = System.nanoTime();
                String m = assertThrows(CollectiveException.class, c::barrier).getMessage();
                assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
                return m;
            });
            assertTrue(got.get(0).contains("barrier on rank 0: rank 1 sent nothing within PT0.5S"), got.get(0));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void nonNeighboursDialTheirOwnConnectionAndCloseStopsEveryThread() throws Exception {
        // With 4 ranks, 0-2 and 1-3 are not ring neighbours: each sender dials its peer on first use.
        List<Collective> ranks = TcpGroup.connect(4, dir, options().withChunkBytes(64));
        try {
            List<double[]> got = run(ranks, c -> {
                int peer = (c.rank() + 2) % 4;
                double[] mine = new double[33];
                java.util.Arrays.fill(mine, c.rank() + 0.25);
                double[] theirs = new double[33];
                for (int round = 0; round < 2; round++) {
                    if (c.rank() < 2) {
                        c.send(peer, mine, 0, 33);
                        c.recv(peer, theirs, 0, 33);
                    } else {
                        c.recv(peer, theirs, 0, 33);
                        c.send(peer, mine, 0, 33);
                    }
                }
                c.barrier();
                return theirs;
            });
            for (int r = 0; r < 4; r++) {
                double[] expected = new double[33];
                java.util.Arrays.fill(expected, (r + 2) % 4 + 0.25);
                assertArrayEquals(expected, got.get(r), "rank " + r);
            }
            assertTrue(groupThreads() > 0);
        } finally {
            TcpGroup.closeAll(ranks);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (groupThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, groupThreads(), "threads left running after close");
    }

    private static long groupThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("trainer-tcp-")).count();
    }

    @Test
    void aRootWhosePeerStopsReadingWaitsForItInsteadOfBufferingThenNamesIt() throws Exception {
        // 32 MB in 64 KiB frames: far more than the socket buffers and the send window hold.
        List<Collective> ranks = TcpGroup.connect(2, dir, options().withChunkBytes(64 << 10)
                .withTimeout(Duration.ofSeconds(1)));
        try {
            List<String> got = run(ranks, c -> {
                if (c.rank() == 1) {
                    return "not reading";
                }
                float[] a = new float[8 << 20];
                return assertThrows(CollectiveException.class, () -> c.broadcast(a, 0, a.length, 0)).getMessage();
            });
            assertTrue(got.get(0).startsWith("broadcast(float32) from root 0 on rank 0: rank 1 took none of this"
                    + " rank's data within PT1S"), got.get(0));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void oneRankNeedsNoSocketsAndChangesNothing() {
        Collective c = TcpCollective.connect(0, 1, (r, w, a, t) -> {
            throw new AssertionError("a group of one needs no rendezvous");
        }, options());
        try {
            float[] a = {1.5f, -2};
            c.allReduce(a, 0, 2, ReduceOp.MEAN);
            c.broadcast(a, 0, 2, 0);
            c.barrier();
            assertArrayEquals(new float[] {1.5f, -2}, a);
            byte[] mine = {4, 2};
            byte[][] all = c.allGather(mine);
            assertArrayEquals(mine, all[0]);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> c.send(0, a, 0, 2)).getMessage()
                    .contains("dst must be another rank, got this rank 0"));
        } finally {
            c.close();
        }
    }

    @Test
    void argumentsAndOptionsAreCheckedWithTheirNames() {
        TcpCollective.Options o = TcpCollective.Options.defaults();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withSecret(new byte[8])).getMessage()
                .contains("secret must be at least 16 bytes, got 8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpCollective.connect(0, 2,
                (r, w, a, t) -> List.of(), o)).getMessage().contains("options.secret is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withPort(70000)).getMessage()
                .contains("port must be in [0, 65535], got 70000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withChunkBytes(100)).getMessage()
                .contains("chunkBytes must be a multiple of 8 in [64, 67108864], got 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withTimeout(Duration.ZERO)).getMessage()
                .contains("timeout must be positive, got PT0S"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpCollective.connect(2, 2,
                (r, w, a, t) -> List.of(), options())).getMessage()
                .contains("rank must be a rank in [0, 2), got 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpCollective.Options.fromHex("0g"))
                .getMessage().contains("got 'g' at index 1"));
        byte[] secret = TcpCollective.Options.newSecret();
        assertEquals(32, secret.length);
        assertArrayEquals(secret, TcpCollective.Options.fromHex(TcpCollective.Options.toHex(secret)));
        assertEquals("00ff7f80", TcpCollective.Options.toHex(new byte[] {0, -1, 127, -128}));
        assertTrue(!options().toString().contains(TcpCollective.Options.toHex(TcpGroup.SECRET)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
