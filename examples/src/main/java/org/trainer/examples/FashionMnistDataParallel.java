package org.trainer.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedDataParallel;
import org.trainer.distributed.DistributedSampler;
import org.trainer.distributed.ProcessLauncher;
import org.trainer.optim.SGD;

/**
 * The Fashion-MNIST MLP of {@link FashionMnistMlp}, trained data-parallel on 2 processes of this
 * machine, one thread each ({@link ProcessLauncher}, like {@code torchrun --nproc-per-node 2}):
 * every rank loads the data, trains a replica on its half of each batch of 64 (32 each, by
 * {@link DistributedSampler}), and {@link DistributedDataParallel} averages the gradients, so the
 * run makes the steps of one process with batches of 64. Rank 0 evaluates and returns the test
 * accuracy. The data directory is found as in the other Fashion-MNIST examples.
 */
public final class FashionMnistDataParallel {
    private FashionMnistDataParallel() {
    }

    /** What rank 0 sends back: the per-epoch history as text and the test accuracy. */
    record Result(String history, double accuracy) implements java.io.Serializable {
    }

    public static void main(String[] args) {
        String dir = FashionMnist.locate(args).toString();
        int epochs = 10;
        long start = System.nanoTime();
        Result r = ProcessLauncher.builder().processes(2).jvmOptions("-Dtrainer.threads=1", "-Xmx2g").echoOutput(true)
                .timeout(Duration.ofMinutes(2)).build()
                .run(ctx -> train(ctx, dir, epochs));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.print(r.history());
        System.out.printf("test accuracy %.4f after %d epochs on 2 processes (%.1f s, %.0f training samples/s)%n",
                r.accuracy(), epochs, seconds, epochs * 60_000 / seconds);
    }

    static Result train(DistributedContext ctx, String dir, int epochs) throws Exception {
        FashionMnist data = FashionMnist.load(Path.of(dir));
        TensorDataset train = FashionMnist.NORMALIZE.apply(data.train());
        Seeds.set(1);
        Sequential model = FashionMnistMlp.model();
        try (DistributedDataParallel ddp = new DistributedDataParallel(model, ctx.collective())) {
            DataLoader loader = DataLoader.builder(train).batchSize(64 / ctx.worldSize()).prefetch(2)
                    .sampler(DistributedSampler.of(train.size(), ctx, 1)).build();
            DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
            Trainer trainer = new Trainer().metrics(Accuracy::new)
                    .schedule((base, epoch) -> epoch < 7 ? base : base * 0.1);
            trainer.callbacks(new org.trainer.core.train.Callback() {
                @Override
                public void onEpochEnd(org.trainer.core.train.TrainingContext t, int epoch, Map<String, Double> logs) {
                    System.out.printf("epoch %d/%d %s%n", epoch + 1, epochs, logs);
                }
            });
            History h = trainer.fit(ddp, new CrossEntropyLoss(), new SGD(ddp.parameters(), 0.02, 0.9, 0), loader,
                    ctx.isLeader() ? test : null, epochs);
            Map<String, Double> result = trainer.evaluate(model, new CrossEntropyLoss(), test);
            return new Result(h.toString(), result.get("accuracy"));
        }
    }
}
