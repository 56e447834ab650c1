package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.distributed.Ranks.run;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every test of {@link TcpCollectiveTest} again with the ranks (threads of this JVM, so on one
 * machine) all-reducing through shared memory, plus what only that path has: its set-up, its
 * fallback, and a rank that is elsewhere while the others wait in shared memory.
 */
class TcpCollectiveSharedMemoryTest extends TcpCollectiveTest {
    @Override
    TcpCollective.Options options() {
        return TcpGroup.options().withSharedMemory(true);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void ranksOnOneMachineShareMemoryAndLeaveNoFileBehind(int world) throws Exception {
        List<Collective> ranks = TcpGroup.connect(world, dir, options());
        try {
            for (Collective c : ranks) {
                SharedMemoryReduce shared = ((TcpCollective) c).sharedMemory();
                assertNotNull(shared, "rank " + c.rank() + " all-reduces through its sockets");
                assertFalse(Files.exists(shared.file), shared.file + " is still there");
            }
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void aRankThatDoesNotAllowItMakesEveryRankUseTheSockets() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options());
        TcpGroup.closeAll(ranks);
        List<Collective> mixed = TcpGroup.connectEach(3, dir, r -> options().withSharedMemory(r != 1));
        try {
            for (Collective c : mixed) {
                assertNull(((TcpCollective) c).sharedMemory(), "rank " + c.rank());
            }
            List<float[]> got = run(mixed, c -> {
                float[] a = {c.rank(), 1, 2};
                c.allReduce(a, 0, 3, ReduceOp.SUM);
                return a;
            });
            for (float[] a : got) {
                assertArrayEquals(new float[] {3, 3, 6}, a);
            }
        } finally {
            TcpGroup.closeAll(mixed);
        }
    }

    @Test
    void aRankInAnotherOperationFailsTheRanksWaitingInSharedMemoryNamingIt() throws Exception {
        List<String> got = failures(c -> c.allReduce(new float[5], 0, 5, ReduceOp.SUM),
                c -> c.broadcast(new float[5], 0, 5, 1));
        assertTrue(got.get(0).contains("rank 1 sent broadcast(float32), rank 0 expected allReduce(float32)"), got.get(0));
        assertTrue(got.get(1).contains("broadcast(float32), rank 0 expected allReduce(float32)"), got.get(1));
    }

    @Test
    void ranksThatDisagreeOnTheDtypeAreRefused() throws Exception {
        List<String> got = failures(c -> c.allReduce(new float[5], 0, 5, ReduceOp.SUM),
                c -> c.allReduce(new double[5], 0, 5, ReduceOp.SUM));
        assertTrue(got.get(0).contains("rank 1 sent allReduce(float64), rank 0 expected allReduce(float32)"), got.get(0));
        assertTrue(got.get(1).contains("rank 0 sent allReduce(float32), rank 1 expected allReduce(float64)"), got.get(1));
    }

    /** The messages with which ranks 0 and 1 of a new group fail, rank 0 running first and rank 1 second. */
    private List<String> failures(Consumer<Collective> first, Consumer<Collective> second) throws Exception {
        List<Collective> ranks = TcpGroup.connect(2, dir, options());
        try {
            return run(ranks, c -> assertThrows(CollectiveException.class,
                    () -> (c.rank() == 0 ? first : second).accept(c)).getMessage());
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }

    @Test
    void aRankThatNeverArrivesIsNamedAfterTheTimeout() throws Exception {
        List<Collective> ranks = TcpGroup.connect(3, dir, options().withTimeout(Duration.ofMillis(500)));
        try {
            List<String> got = run(ranks, c -> {
                if (c.rank() == 2) {
                    return "absent";
                }
                long t0 = System.nanoTime();
                String m = assertThrows(CollectiveException.class,
                        () -> c.allReduce(new double[100], 0, 100, ReduceOp.MEAN)).getMessage();
                assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took " + (System.nanoTime() - t0) / 1e9 + " s");
                return m;
            });
            // The first to time out names rank 2; the other may hear of it from its neighbour first.
            assertTrue(got.get(0).contains("rank 2 sent nothing within PT0.5S"), got.get(0));
            assertTrue(got.get(1).contains("rank 2 sent nothing within PT0.5S"), got.get(1));
        } finally {
            TcpGroup.closeAll(ranks);
        }
    }
}
