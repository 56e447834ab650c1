package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.Shuffle;

class DistributedSamplerTest {

    @Test
    void shardsAreDisjointAndCoverTheEpochsOrderWhenWorldDividesIt() {
        int n = 30;
        int w = 3;
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = Shuffle.permutation(n, 5, epoch);
            int[] seen = new int[n];
            for (int r = 0; r < w; r++) {
                int[] mine = new DistributedSampler(n, r, w, true, 5, false).indices(epoch);
                assertEquals(10, mine.length);
                for (int j = 0; j < mine.length; j++) {
                    assertEquals(order[r + j * w], mine[j]);
                    seen[mine[j]]++;
                }
            }
            int[] once = new int[n];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen);
        }
        assertTrue(!Arrays.equals(new DistributedSampler(n, 0, w, true, 5, false).indices(0),
                new DistributedSampler(n, 0, w, true, 5, false).indices(1)), "each epoch is reshuffled");
    }

    @Test
    void ranksBatchesTogetherAreTheSingleProcessBatch() {
        int n = 40;
        int w = 2;
        int b = 4;
        int[] order = Shuffle.permutation(n, 11, 2);
        int[][] shards = {new DistributedSampler(n, 0, w, true, 11, false).indices(2),
                new DistributedSampler(n, 1, w, true, 11, false).indices(2)};
        for (int batch = 0; batch < n / (w * b); batch++) {
            int[] together = new int[w * b];
            for (int r = 0; r < w; r++) {
                System.arraycopy(shards[r], batch * b, together, r * b, b);
            }
            int[] single = Arrays.copyOfRange(order, batch * w * b, (batch + 1) * w * b);
            Arrays.sort(together);
            Arrays.sort(single);
            assertArrayEquals(single, together);
        }
    }

    @Test
    void paddingRepeatsTheStartAndDropLastCutsTheTail() {
        // 7 samples over 3 ranks: padded to 9 (positions 7, 8 are order[0], order[1]) or cut to 6.
        int[] order = Shuffle.identity(7);
        assertArrayEquals(new int[] {0, 3, 6}, new DistributedSampler(7, 0, 3, false, 0, false).indices(0));
        assertArrayEquals(new int[] {1, 4, order[0]}, new DistributedSampler(7, 1, 3, false, 0, false).indices(0));
        assertArrayEquals(new int[] {2, 5, order[1]}, new DistributedSampler(7, 2, 3, false, 0, false).indices(0));
        assertArrayEquals(new int[] {2, 5}, new DistributedSampler(7, 2, 3, false, 0, true).indices(0));
        assertEquals(3, new DistributedSampler(7, 0, 3, false, 0, false).length());
        assertEquals(2, new DistributedSampler(7, 0, 3, false, 0, true).length());
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2, true, 0, false))
                .getMessage().contains("rank must be a rank in [0, 2), got 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0, true, 0, false))
                .getMessage().contains("worldSize must be >= 1, got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(2, 0, 3, true, 0, true))
                .getMessage().contains("datasetSize 2 gives rank 0 of 3 no sample with dropLast"));
    }
}
