package org.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.optim.SGD;

/**
 * What a checkpoint costs the Fashion-MNIST MLP's training: the time of one checkpoint write
 * (weights, SGD momentum, a small state; temporary directory, fsync, rename, SHA-256 per file),
 * timed on its own, against the time of one epoch (60,000 MNIST-shaped samples, batch 64, SGD with
 * momentum); the share of an epoch that a checkpoint each epoch, and one every 100 steps, costs.
 * Then the epochs of {@code Trainer.fit} with those settings, for a check on the whole loop.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar org.trainer.bench.CheckpointCost [DIR]
 * </pre>
 * DIR is where checkpoints are written (default: a temporary directory), since the disk sets the
 * cost. A harness that prints numbers for a person to read: nothing fails.
 */
public final class CheckpointCost {
    private static final int SAMPLES = 60_000;
    private static final int BATCH = 64;

    private CheckpointCost() {
    }

    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("checkpoint-cost");
        TensorDataset data = new TensorDataset(Tensor.randn(5, SAMPLES, 1, 28, 28),
                Tensor.fromArray(IntStream.range(0, SAMPLES).map(i -> i * 7 % 10).toArray(), SAMPLES));
        double plain = medianEpoch(data, null);
        Module model = TrainingModels.MLP.build();
        SGD sgd = new SGD(model.parameters(), 0.01, 0.9, 0);
        // One step, so that the optimizer holds its momentum buffers as it would in a checkpoint.
        Tensor x = Tensor.randn(6, BATCH, 1, 28, 28);
        new CrossEntropyLoss().compute(model.forward(x), Tensor.fromArray(new int[BATCH], BATCH)).backward();
        sgd.step();
        CheckpointStore store = new CheckpointStore(Files.createTempDirectory(root, "store"));
        double[] writes = new double[25];
        for (int i = -5; i < writes.length; i++) {
            Checkpoint c = new Checkpoint(1, 0, i + 10L, (i + 10L) * BATCH, model.stateDict(), sgd.stateDict(),
                    Map.of("epoch.loss_sum", Tensor.scalar(1.0)), Map.of());
            long t0 = System.nanoTime();
            store.write(c);
            if (i >= 0) {
                writes[i] = (System.nanoTime() - t0) / 1e9;
            }
            store.keepLast(2);
        }
        double write = Stats.median(writes);
        int steps = (SAMPLES + BATCH - 1) / BATCH;
        System.out.printf(Locale.ROOT, "MLP 784-512-256-10 (%d parameters), %d samples an epoch, batch %d (%d steps)%n",
                model.parameterCount(), SAMPLES, BATCH, steps);
        System.out.printf(Locale.ROOT, "  one checkpoint write: %.1f ms median (%.1f to %.1f)%n", write * 1e3,
                Arrays.stream(writes).min().orElse(0) * 1e3, Arrays.stream(writes).max().orElse(0) * 1e3);
        System.out.printf(Locale.ROOT, "  one epoch without checkpoints: %.2f s median%n", plain);
        System.out.printf(Locale.ROOT, "  a checkpoint each epoch: %.2f%% of an epoch%n", 100 * write / plain);
        System.out.printf(Locale.ROOT, "  a checkpoint every 100 steps (%d an epoch): %.1f%% of an epoch%n", steps / 100,
                100 * write * (steps / 100) / plain);
        double everyEpoch = medianEpoch(data, Checkpointing.builder(Files.createTempDirectory(root, "epoch")).build());
        double every100 = medianEpoch(data, Checkpointing.builder(Files.createTempDirectory(root, "steps"))
                .everySteps(100).build());
        System.out.printf(Locale.ROOT, "  Trainer.fit epochs: none %.2f s, each epoch %.2f s, every 100 steps %.2f s"
                + " (one run each; the machine's noise is of the order of these differences)%n", plain, everyEpoch,
                every100);
    }

    /** The median time of epochs 2 to 4 of a fit (epoch 1 is JIT warm-up), with checkpoints when given. */
    static double medianEpoch(TensorDataset data, Checkpointing checkpoints) {
        Seeds.set(1);
        Module model = TrainingModels.MLP.build();
        List<Double> times = new ArrayList<>();
        Callback clock = new EpochClock(1, times);
        Trainer trainer = new Trainer().callbacks(clock);
        if (checkpoints != null) {
            trainer.checkpoints(checkpoints);
        }
        trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.01, 0.9, 0),
                DataLoader.builder(data).batchSize(BATCH).shuffle(true).seed(1).build(), null, 4);
        return Stats.median(times);
    }

}
