package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.Trainer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * Data-parallel training against one process: W ranks with batch B and their shards of each epoch
 * must make the steps of one process with batch W x B (float64, 20 steps), and stay bitwise equal
 * to each other.
 */
public class DistributedDataParallelTest {
    private static final long SEED = 7;

    public static Module mlp(long seed) {
        return new Sequential(new Linear(10, 16, true, null, seed), new Activation.Tanh(),
                new Linear(16, 12, true, null, seed + 10), new Activation.ReLU(),
                new Linear(12, 3, true, null, seed + 20)).to(DType.FLOAT64);
    }

    public static Module cnn(long seed) {
        return new Sequential(new Conv2d(1, 4, 3, 1, 0, 1, true, null, seed), new Activation.ReLU(),
                new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 3, true, null, seed + 10)).to(DType.FLOAT64);
    }

    public static TensorDataset data(int n, int... sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor x = Tensor.randn(99, shape).to(DType.FLOAT64);
        int[] y = new int[n];
        double[] xs = x.toDoubleArray();
        int per = xs.length / n;
        for (int i = 0; i < n; i++) {
            // A learnable rule, so that the loss moves: the sign pattern of two features.
            y[i] = (xs[i * per] > 0 ? 1 : 0) + (xs[i * per + 1] > 0.5 ? 1 : 0);
        }
        return new TensorDataset(x, Tensor.fromArray(y, n));
    }

    /** Final weights of one process with batch {@code batch}, trained for {@code epochs}. */
    static Map<String, double[]> single(LongFunction<Module> model, Function<Module, Optimizer> opt, TensorDataset d,
                                        int batch, int epochs, int accumulate) {
        Module m = model.apply(SEED);
        DataLoader loader = DataLoader.builder(d).batchSize(batch).shuffle(true).seed(3).build();
        new Trainer().accumulateGradients(accumulate).fit(m, new CrossEntropyLoss(), opt.apply(m), loader, null, epochs);
        return weights(m);
    }

    /** Final weights of every rank of a data-parallel run; each rank starts from a different initialization. */
    static List<Map<String, double[]>> parallel(int world, LongFunction<Module> model, Function<Module, Optimizer> opt,
                                                TensorDataset d, int batch, int epochs, int accumulate, long bucketBytes)
            throws Exception {
        return Ranks.local(world, c -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(model.apply(SEED + 1000 * c.rank()), c,
                    bucketBytes)) {
                DataLoader loader = DataLoader.builder(d).batchSize(batch)
                        .sampler(new DistributedSampler(d.size(), c.rank(), world, true, 3, false)).build();
                new Trainer().accumulateGradients(accumulate)
                        .fit(ddp, new CrossEntropyLoss(), opt.apply(ddp), loader, null, epochs);
                return weights(ddp.module());
            }
        });
    }

    public static LinkedHashMap<String, double[]> weights(Module m) {
        LinkedHashMap<String, double[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    public static void assertClose(Map<String, double[]> expected, Map<String, double[]> actual, double rel) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, e) -> {
            double[] a = actual.get(k);
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                diff = Math.max(diff, Math.abs(e[i] - a[i]));
            }
            assertTrue(diff <= rel * scale, k + ": max difference " + diff + " against max magnitude " + scale);
        });
    }

    static void assertReplicasBitwiseEqual(List<Map<String, double[]>> ranks) {
        for (int r = 1; r < ranks.size(); r++) {
            for (String k : ranks.get(0).keySet()) {
                assertArrayEquals(ranks.get(0).get(k), ranks.get(r).get(k), "rank " + r + " " + k);
            }
        }
    }

    public static Optimizer sgd(Module m) {
        return new SGD(m.parameters(), 0.1, 0.9, 1e-4);
    }

    @Test
    void twoAndThreeRanksTrainAnMlpAsOneProcessWithTheirBatchesTogether() throws Exception {
        TensorDataset d = data(96, 10);
        for (int world : new int[] {2, 3}) {
            // 96 / 24 = 4 steps an epoch, 5 epochs: 20 steps.
            Map<String, double[]> expected = single(DistributedDataParallelTest::mlp, DistributedDataParallelTest::sgd,
                    d, 24, 5, 1);
            List<Map<String, double[]>> got = parallel(world, DistributedDataParallelTest::mlp,
                    DistributedDataParallelTest::sgd, d, 24 / world, 5, 1, 300);
            assertReplicasBitwiseEqual(got);
            assertClose(expected, got.get(0), 1e-10);
            assertTrue(Math.abs(expected.get("0.weight")[0] - mlp(SEED).stateDict().get("0.weight").toDoubleArray()[0]) > 1e-6,
                    "training moved the weights");
        }
    }

    @Test
    void twoAndThreeRanksTrainACnnAsOneProcess() throws Exception {
        TensorDataset d = data(48, 1, 8, 8);
        Function<Module, Optimizer> adam = m -> new Adam(m.parameters(), 0.01);
        Map<String, double[]> expected = single(DistributedDataParallelTest::cnn, adam, d, 12, 5, 1);
        for (int world : new int[] {2, 3}) {
            List<Map<String, double[]>> got = parallel(world, DistributedDataParallelTest::cnn, adam, d, 12 / world, 5, 1,
                    DistributedDataParallel.DEFAULT_BUCKET_BYTES);
            assertReplicasBitwiseEqual(got);
            assertClose(expected, got.get(0), 1e-10);
        }
    }

    @Test
    void accumulatingGradientsEqualsTheLargerBatch() throws Exception {
        TensorDataset d = data(96, 10);
        Map<String, double[]> big = single(DistributedDataParallelTest::mlp, DistributedDataParallelTest::sgd, d, 24, 5, 1);
        // One process: 3 micro-batches of 8.
        assertClose(big, single(DistributedDataParallelTest::mlp, DistributedDataParallelTest::sgd, d, 8, 5, 3), 1e-10);
        // Two ranks, 3 micro-batches of 4 each, the first two without communication.
        List<Map<String, double[]>> got = parallel(2, DistributedDataParallelTest::mlp, DistributedDataParallelTest::sgd,
                d, 4, 5, 3, 300);
        assertReplicasBitwiseEqual(got);
        assertClose(big, got.get(0), 1e-10);
    }

    @Test
    void accumulationWeighsAShortLastBatchBySamples() {
        // 92 samples, batch 8, k 3: the epoch's last step holds micro-batches of 8, 8 and 4 samples, which
        // must weigh 8:8:4 to equal the last batch of 20 that batch size 24 gives.
        TensorDataset d = data(92, 10);
        Module a = mlp(SEED);
        Module b = mlp(SEED);
        DataLoader small = DataLoader.builder(d).batchSize(8).build();
        new Trainer().accumulateGradients(3).fit(a, new CrossEntropyLoss(), new SGD(a.parameters(), 0.1), small, null, 2);
        DataLoader big = DataLoader.builder(d).batchSize(24).build();
        new Trainer().fit(b, new CrossEntropyLoss(), new SGD(b.parameters(), 0.1), big, null, 2);
        assertClose(weights(b), weights(a), 1e-10);
    }

    @Test
    void bucketsFollowTheSizeLimitInReverseOrder() throws Exception {
        List<List<Integer>> got = Ranks.local(1, c -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(SEED), c, 16 * 12 * 8)) {
                return ddp.bucketSizes();
            }
        });
        // Reverse order: 2.bias (3) + 2.weight (36) + 1.bias (12) = 51 doubles; 1.weight (192 doubles = 1536 bytes)
        // fills one alone; 0.bias (16) + 0.weight (160) the last.
        assertEquals(List.of(51, 192, 176), got.get(0));
        // Default sizes: the first bucket (the last two layers and 0.bias, 0.5 MB) stops short of 1 MiB, so it is sent
        // while the first layer's gradient (1.6 MB) is computed.
        List<List<Integer>> fashion = Ranks.local(1, c -> {
            Module m = new Sequential(new Linear(784, 512), new Activation.ReLU(), new Linear(512, 256),
                    new Activation.ReLU(), new Linear(256, 10));
            try (DistributedDataParallel ddp = new DistributedDataParallel(m, c)) {
                return ddp.bucketSizes();
            }
        });
        assertEquals(List.of(10 + 2560 + 256 + 131072 + 512, 401408), fashion.get(0));
    }

    @Test
    void replicasThatDifferAreRefusedOnEveryRank() throws Exception {
        List<String> got = Ranks.local(2, c -> {
            Module m = c.rank() == 0 ? mlp(SEED) : new Sequential(new Linear(10, 16), new Activation.Tanh(),
                    new Linear(16, 11), new Activation.ReLU(), new Linear(11, 3)).to(DType.FLOAT64);
            return assertThrows(CollectiveException.class, () -> new DistributedDataParallel(m, c)).getMessage();
        });
        for (String m : got) {
            assertTrue(m.contains("rank 0 has 2.weight FLOAT64 [12, 16]") && m.contains("rank 1 has 2.weight FLOAT64 [11, 16]"),
                    m);
        }
    }

    @Test
    void theConstructorGivesEveryReplicaRankZerosWeights() throws Exception {
        List<Map<String, double[]>> got = Ranks.local(3, c -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(SEED + c.rank()), c)) {
                return weights(ddp.module());
            }
        });
        assertReplicasBitwiseEqual(got);
        assertArrayEquals(weights(mlp(SEED)).get("0.weight"), got.get(2).get("0.weight"));
    }
}
