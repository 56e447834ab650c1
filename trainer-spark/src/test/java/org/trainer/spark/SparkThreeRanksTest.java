package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.trainer.distributed.DistributedDataParallelTest.assertClose;
import static org.trainer.distributed.DistributedDataParallelTest.cnn;
import static org.trainer.distributed.DistributedDataParallelTest.data;
import static org.trainer.distributed.DistributedDataParallelTest.mlp;
import static org.trainer.distributed.DistributedDataParallelTest.sgd;
import static org.trainer.distributed.DistributedDataParallelTest.weights;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Trainer;
import org.trainer.distributed.DistributedDataParallel;
import org.trainer.distributed.DistributedSampler;
import org.trainer.optim.Adam;

/**
 * Three Spark tasks (an embedded local[3]) train the MLP and the small CNN of
 * {@code DistributedDataParallelTest} in float64, 20 steps each, as one process with the three
 * ranks' batches together, the three replicas bitwise equal.
 */
class SparkThreeRanksTest {
    private static final long SEED = 7;

    /** Final weights of {@code model} trained for 5 epochs: by one process (ctx null) or as one rank. */
    static LinkedHashMap<String, double[]> train(org.trainer.distributed.DistributedContext ctx, boolean mlp) {
        TensorDataset d = mlp ? data(96, 10) : data(48, 1, 8, 8);
        int batch = mlp ? 24 : 12;
        long seed = SEED + (ctx == null ? 0 : 1000 * ctx.rank());
        Module m = mlp ? mlp(seed) : cnn(seed);
        if (ctx == null) {
            new Trainer().fit(m, new CrossEntropyLoss(), optimizer(m, mlp),
                    DataLoader.builder(d).batchSize(batch).shuffle(true).seed(3).build(), null, 5);
            return weights(m);
        }
        try (DistributedDataParallel ddp = new DistributedDataParallel(m, ctx.collective(), 300)) {
            DataLoader loader = DataLoader.builder(d).batchSize(batch / ctx.worldSize())
                    .sampler(new DistributedSampler(d.size(), ctx.rank(), ctx.worldSize(), true, 3, false)).build();
            new Trainer().fit(ddp, new CrossEntropyLoss(), optimizer(ddp, mlp), loader, null, 5);
            return weights(m);
        }
    }

    static org.trainer.core.train.Optimizer optimizer(Module m, boolean mlp) {
        return mlp ? sgd(m) : new Adam(m.parameters(), 0.01);
    }

    @Test
    void threeTasksTrainAnMlpAndACnnAsOneProcessWithTheirBatchesTogether() {
        ArrayList<ArrayList<LinkedHashMap<String, double[]>>> got = SparkDistributor.builder().numProcesses(3)
                .timeout(Duration.ofSeconds(60)).maxAttempts(1).build().run(ctx -> {
                    ArrayList<ArrayList<LinkedHashMap<String, double[]>>> out = new ArrayList<>();
                    for (boolean mlp : new boolean[] {true, false}) {
                        out.add(SparkTrainingTest.gather(ctx.collective(), train(ctx, mlp)));
                    }
                    return out;
                });
        for (int which = 0; which < 2; which++) {
            Map<String, double[]> expected = train(null, which == 0);
            ArrayList<LinkedHashMap<String, double[]>> ranks = got.get(which);
            assertEquals(3, ranks.size());
            assertClose(expected, ranks.get(0), 1e-10);
            for (int r = 1; r < 3; r++) {
                SparkTrainingTest.assertBitwiseEqual(ranks.get(0), ranks.get(r), "rank " + r);
            }
        }
    }
}
