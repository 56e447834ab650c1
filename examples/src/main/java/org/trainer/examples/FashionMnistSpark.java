package org.trainer.examples;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedDataParallel;
import org.trainer.distributed.DistributedSampler;
import org.trainer.optim.SGD;
import org.trainer.spark.SparkDistributor;

/**
 * The Fashion-MNIST MLP of {@link FashionMnistMlp} trained data-parallel on two Spark tasks: each
 * rank trains on its half of every epoch in batches of 32 (64 together, the single-process
 * recipe's batch) and {@link DistributedDataParallel} averages the gradients, so the two replicas
 * take the same steps. Rank 0 then evaluates on the test set; the driver prints the result.
 *
 * <p>Run from the IDE or Maven, it starts an embedded {@code local[2]} Spark in this JVM; under
 * spark-submit it uses the submitted application's context (see trainer-spark's README). Arguments:
 * the data directory (as {@link FashionMnist#locate(String[])} finds it) and the number of epochs
 * (10 by default; the learning rate drops tenfold for the last three).
 */
public final class FashionMnistSpark {
    private static final int RANKS = 2;

    private FashionMnistSpark() {
    }

    /** What rank 0 sends back to the driver. */
    record Outcome(double testAccuracy, double trainSeconds, String history) implements Serializable {
    }

    public static void main(String[] args) {
        // The directory is resolved here and handed to every rank: each loads the data itself.
        String dataDir = FashionMnist.locate(args).toString();
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        SparkDistributor distributor = SparkDistributor.builder().numProcesses(RANKS).build();
        long start = System.nanoTime();
        Outcome outcome = distributor.run(ctx -> train(ctx, dataDir, epochs));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("rank 0's training history (on its half of each epoch):");
        System.out.print(outcome.history());
        System.out.printf("FashionMnistSpark: test accuracy %.4f after %d epochs on %d Spark tasks"
                        + " (training %.1f s, %.1f s with Spark's start-up)%n",
                outcome.testAccuracy(), epochs, RANKS, outcome.trainSeconds(), seconds);
    }

    /** One rank: trains its replica on its shard; rank 0 evaluates on the test set. */
    static Outcome train(DistributedContext ctx, String dataDir, int epochs) throws IOException {
        FashionMnist data = FashionMnist.load(Path.of(dataDir));
        Module model;
        // The ranks of local mode share this JVM's global seed sequence: one rank at a time draws
        // from it. DistributedDataParallel gives every replica rank 0's weights either way.
        synchronized (FashionMnistSpark.class) {
            Seeds.set(1);
            model = FashionMnistMlp.model();
        }
        try (DistributedDataParallel ddp = new DistributedDataParallel(model, ctx.collective())) {
            var trainSet = FashionMnist.NORMALIZE.apply(data.train());
            DataLoader train = DataLoader.builder(trainSet).batchSize(64 / ctx.worldSize())
                    .sampler(DistributedSampler.of(trainSet.size(), ctx, 1)).build();
            int decayEpoch = Math.max(0, epochs - 3);
            Trainer trainer = new Trainer().metrics(Accuracy::new)
                    .schedule((base, epoch) -> epoch < decayEpoch ? base : base * 0.1);
            long start = System.nanoTime();
            History history = trainer.fit(ddp, new CrossEntropyLoss(), new SGD(ddp.parameters(), 0.02, 0.9, 0),
                    train, null, epochs);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!ctx.isLeader()) {
                return null;
            }
            DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
            Map<String, Double> result = trainer.evaluate(ddp.module(), new CrossEntropyLoss(), test);
            return new Outcome(result.get("accuracy"), seconds, history.toString());
        }
    }
}
