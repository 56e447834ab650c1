package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class LocalCollectiveTest {

    @Test
    void allReduceSumsInRankOrderOnEveryRank() throws Exception {
        List<float[]> got = Ranks.run(LocalCollective.group(3), c -> {
            float[] a = new float[] {-1, 0.1f * (c.rank() + 1), 1e8f, (float) c.rank(), 7};
            c.allReduce(a, 1, 3, ReduceOp.SUM);
            return a;
        });
        float expected = 0.1f;
        expected += 0.2f;
        expected += 0.3f;
        for (float[] a : got) {
            assertArrayEquals(new float[] {-1, expected, 3e8f, 3, 7}, a);
        }
    }

    @Test
    void meanDividesAfterSummingInFloat64() throws Exception {
        List<double[]> got = Ranks.run(LocalCollective.group(4), c -> {
            double[] a = {c.rank(), 1.0 / (c.rank() + 1)};
            c.allReduce(a, 0, 2, ReduceOp.MEAN);
            return a;
        });
        double s = 1.0 + 0.5 + 1.0 / 3 + 0.25;
        for (double[] a : got) {
            assertEquals(1.5, a[0]);
            assertEquals(s / 4, a[1]);
        }
    }

    @Test
    void broadcastCopiesTheRootsValues() throws Exception {
        List<double[]> got = Ranks.run(LocalCollective.group(3), c -> {
            double[] a = {c.rank() * 10, c.rank() * 10 + 1};
            c.broadcast(a, 0, 2, 2);
            return a;
        });
        got.forEach(a -> assertArrayEquals(new double[] {20, 21}, a));
    }

    @Test
    void allGatherReturnsEachRanksBytesByRank() throws Exception {
        List<byte[][]> got = Ranks.run(LocalCollective.group(3), c ->
                c.allGather(("rank-" + "x".repeat(c.rank())).getBytes(StandardCharsets.UTF_8)));
        for (byte[][] all : got) {
            assertEquals("rank-", new String(all[0], StandardCharsets.UTF_8));
            assertEquals("rank-xx", new String(all[2], StandardCharsets.UTF_8));
        }
    }

    @Test
    void sendAndRecvPassArraysBetweenRanks() throws Exception {
        List<float[]> got = Ranks.run(LocalCollective.group(2), c -> {
            float[] a = new float[3];
            if (c.rank() == 0) {
                c.send(1, new float[] {9, 1, 2, 3}, 1, 3);
                c.recv(1, a, 0, 3);
            } else {
                c.recv(0, a, 0, 3);
                c.send(0, new float[] {a[0] * 2, a[1] * 2, a[2] * 2}, 0, 3);
            }
            return a;
        });
        assertArrayEquals(new float[] {2, 4, 6}, got.get(0));
        assertArrayEquals(new float[] {1, 2, 3}, got.get(1));
    }

    @Test
    void ranksThatDisagreeOnTheLengthAreRefusedOnEveryRank() throws Exception {
        List<String> got = Ranks.run(LocalCollective.group(2), c -> {
            try {
                c.allReduce(new float[4 + c.rank()], 0, 4 + c.rank(), ReduceOp.SUM);
                return "no error";
            } catch (CollectiveException e) {
                return e.getMessage();
            }
        });
        for (String m : got) {
            assertTrue(m.contains("ranks disagree") && m.contains("4 elements") && m.contains("5 elements"), m);
        }
    }

    @Test
    void recvRefusesAnotherLengthOrDtype() throws Exception {
        List<String> got = Ranks.run(LocalCollective.group(2), c -> {
            if (c.rank() == 0) {
                c.send(1, new float[5], 0, 5);
                c.send(1, new double[2], 0, 2);
                return "";
            }
            String a = assertThrows(CollectiveException.class, () -> c.recv(0, new float[4], 0, 4)).getMessage();
            String b = assertThrows(CollectiveException.class, () -> c.recv(0, new float[2], 0, 2)).getMessage();
            return a + " | " + b;
        });
        assertTrue(got.get(1).contains("expected 4 elements, rank 0 sent 5"), got.get(1));
        assertTrue(got.get(1).contains("expected float32, rank 0 sent float64"), got.get(1));
    }

    @Test
    void aRankThatNeverArrivesIsNamedWithinTheTimeout() throws Exception {
        List<Collective> ranks = LocalCollective.group(3, Duration.ofMillis(300));
        List<String> got = Ranks.run(ranks, c -> {
            if (c.rank() == 1) {
                return "absent";
            }
            long t0 = System.nanoTime();
            CollectiveException e = assertThrows(CollectiveException.class, c::barrier);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
            return e.getMessage();
        });
        assertTrue(got.get(0).contains("[1]"), got.get(0));
        assertTrue(got.get(2).contains("[1]"), got.get(2));
    }

    @Test
    void aRankThatClosesFailsTheOthersAtOnce() throws Exception {
        List<Collective> ranks = LocalCollective.group(2, Duration.ofMinutes(5));
        List<String> got = Ranks.run(ranks, c -> {
            if (c.rank() == 1) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                c.close();
                return "closed";
            }
            return assertThrows(CollectiveException.class, () -> c.allReduce(new float[1], 0, 1, ReduceOp.SUM))
                    .getMessage();
        });
        assertTrue(got.get(0).contains("rank 1 left the group"), got.get(0));
    }

    @Test
    void aRankThatAbortsTellsTheOthersWhy() throws Exception {
        List<String> got = Ranks.run(LocalCollective.group(3, Duration.ofMinutes(5)), c -> {
            if (c.rank() == 2) {
                c.abort("rank 2 failed: out of data");
                return "aborted";
            }
            return assertThrows(CollectiveException.class, c::barrier).getMessage();
        });
        assertTrue(got.get(0).contains("rank 2 failed: out of data"), got.get(0));
        assertTrue(got.get(1).contains("rank 2 failed: out of data"), got.get(1));
    }

    @Test
    void badArgumentsAreNamed() {
        Collective c = LocalCollective.group(1).get(0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.allReduce(new float[3], 2, 2, ReduceOp.SUM))
                .getMessage().contains("offset 2 and length 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.broadcast(new float[3], 0, 3, 1))
                .getMessage().contains("root must be a rank in [0, 1), got 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LocalCollective.group(0))
                .getMessage().contains("worldSize must be >= 1, got 0"));
    }
}
