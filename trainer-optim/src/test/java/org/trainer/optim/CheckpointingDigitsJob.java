package org.trainer.optim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.AtomicFile;
import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.JobContext;
import org.trainer.core.job.JobDefinition;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;

/**
 * The training job of {@link TrainingJobFaultsTest}, run through the job contract in a child JVM:
 * a small MLP with dropout on the bundled digits, Adam with a cosine schedule, a checkpoint every
 * {@code every_steps} steps and at each epoch's end (the newest 2 kept), then the model and
 * optimizer to {@code model/}, a summary to {@code model/summary.txt}, the history and the final
 * validation figures to {@code output/data/}. The summary is written in two halves with
 * {@code pause_ms} between them, so that a test can kill the job while that write is under way
 * (its temporary file visible in {@code model/}); the bytes written do not depend on the pause.
 * With {@code hold_until} set, training waits after its third step until that file (relative to
 * the job's root) exists, so that a test can act while the job surely holds its checkpoints.
 */
public class CheckpointingDigitsJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().integer("epochs", 3).atLeast("epochs", 1)
                .integer("every_steps", 2).atLeast("every_steps", 1)
                .integer("pause_ms", 0).atLeast("pause_ms", 0)
                .string("hold_until", "");
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        int epochs = ctx.hyperparameters().getInt("epochs");
        Seeds.set(2025);
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 2025, 0);
        TensorDataset train = all.subset(Arrays.copyOfRange(order, 300, order.length));
        TensorDataset val = all.subset(Arrays.copyOfRange(order, 0, 300));
        Sequential model = new Sequential(new Linear(64, 32), new Activation.ReLU(), new Dropout(0.1),
                new Linear(32, 10));
        DataLoader trainLoader = DataLoader.builder(train).batchSize(32).shuffle(true).seed(2025).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(100).build();
        Adam adam = new Adam(model.parameters(), 0.003, 1e-4);
        String hold = ctx.hyperparameters().getString("hold_until");
        Path release = hold.isEmpty() ? null : ctx.directory().root().resolve(hold);
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(TrainingContext c, int batch, double loss) {
                        while (release != null && c.iteration() == 3 && !Files.exists(release)) {
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                })
                .schedule(new CosineSchedule((long) epochs * trainLoader.batchesPerEpoch(), 1e-4).perIteration(true))
                .checkpoints(ctx.checkpointing().everySteps(ctx.hyperparameters().getInt("every_steps")).keepLast(2)
                        .build());
        History h = trainer.fit(model, new CrossEntropyLoss(), adam, trainLoader, valLoader, epochs);
        ctx.saveModel(model, adam);
        byte[] summary = ("epochs " + epochs + "\nval_loss " + h.last("val_loss") + "\nval_accuracy "
                + h.last("val_accuracy") + "\n").getBytes(StandardCharsets.UTF_8);
        long pause = ctx.hyperparameters().getLong("pause_ms");
        AtomicFile.write(ctx.modelDir().resolve("summary.txt"), out -> {
            out.write(summary, 0, summary.length / 2);
            out.flush();
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(summary, summary.length / 2, summary.length - summary.length / 2);
        });
        ctx.recordHistory(h);
        ctx.reportMetric("val_loss", h.last("val_loss"));
        ctx.reportMetric("val_accuracy", h.last("val_accuracy"));
    }
}
