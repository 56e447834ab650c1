package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;

/** One seed for everything: a loader built without seed(...) shuffles as Seeds.set says, and costs no layer its weights. */
class LoaderSeedTest {
    private static final TensorDataset DATA = new TensorDataset(Tensor.arange(64).reshape(64, 1),
            Tensor.fromArray(IntStream.range(0, 64).toArray(), 64));

    private static final RecordSource CSV = RecordSource.of("64 rows", () -> new java.io.ByteArrayInputStream(
            IntStream.range(0, 64).mapToObj(i -> i + "," + i + "\n").reduce("", String::concat)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    private static int[] firstEpoch(long globalSeed) {
        Seeds.set(globalSeed);
        DataLoader loader = DataLoader.builder(DATA).batchSize(64).shuffle(true).build();
        try (BatchIterator it = loader.iterator(0)) {
            return it.next().targets().toIntArray();
        }
    }

    @Test
    void theShuffleFollowsTheGlobalSeed() {
        assertArrayEquals(firstEpoch(5), firstEpoch(5));
        assertFalse(Arrays.equals(firstEpoch(5), firstEpoch(6)));
        assertFalse(Arrays.equals(IntStream.range(0, 64).toArray(), firstEpoch(5)), "shuffled");
        Seeds.set(5);
        assertArrayEquals(firstEpoch(5), DataLoader.builder(DATA).batchSize(64).shuffle(true).seed(Seeds.dataSeed())
                .build().iterator(0).next().targets().toIntArray(), "the default is Seeds.dataSeed()");
    }

    @Test
    void streamingLoadersFollowItToo() {
        List<int[]> orders = new ArrayList<>();
        for (long s : new long[] {5, 5, 6}) {
            Seeds.set(s);
            StreamingLoader loader = StreamingLoader.builder(CsvRecords.classColumn(1, CSV)).batchSize(64)
                    .shuffleBuffer(64).build();
            try (BatchIterator it = loader.iterator(0)) {
                orders.add(it.next().targets().toIntArray());
            }
        }
        assertArrayEquals(orders.get(0), orders.get(1));
        assertFalse(Arrays.equals(orders.get(0), orders.get(2)));
    }

    @Test
    void buildingALoaderLeavesTheWeightsOfLaterLayersAsTheyWere() {
        Seeds.set(9);
        float[] alone = new Linear(4, 3).weight().value().toFloatArray();
        Seeds.set(9);
        DataLoader.builder(DATA).shuffle(true).build();
        assertArrayEquals(alone, new Linear(4, 3).weight().value().toFloatArray());
    }
}
