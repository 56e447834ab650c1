package org.trainer.core.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;

/**
 * A job for the managed-spot tests: a small MLP with dropout on 320 of the UCI digits, batches of
 * 16 (20 steps an epoch), checkpoints every 25 steps. Each step sleeps {@code step_millis} so that
 * an interruption finds it mid-run; step {@code slow_step} sleeps {@code slow_millis} instead, after
 * creating {@code output/data/slow}. Each attempt appends the iteration it starts from to
 * {@code output/data/starts.txt}. Sleeping changes no number: the weights depend on the seed alone.
 */
public class SpotJob implements JobDefinition {
    static final int STEPS_PER_EPOCH = 20;

    static Sequential model() {
        Seeds.set(21);
        return new Sequential(new Linear(64, 32), new Activation.ReLU(), new Dropout(0.2), new Linear(32, 10));
    }

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec()
                .integer("epochs", 15).atLeast("epochs", 1)
                .integer("step_millis", 10).atLeast("step_millis", 0)
                .integer("slow_step", -1)
                .integer("slow_millis", 0).atLeast("slow_millis", 0);
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Hyperparameters hp = ctx.hyperparameters();
        TensorDataset all = Digits.load();
        TensorDataset data = all.subset(Arrays.copyOf(Shuffle.permutation(all.size(), 9, 0), 320));
        DataLoader loader = DataLoader.builder(data).batchSize(16).shuffle(true).seed(4).build();
        Sequential model = model();
        MomentumSgd opt = new MomentumSgd(model.parameters(), 0.05, 0.9);
        Path starts = ctx.outputDataDir().resolve("starts.txt");
        Trainer trainer = new Trainer().metrics(Accuracy::new).recordStepLosses(true)
                .checkpoints(ctx.checkpointing().everySteps(25).keepLast(2).build())
                .callbacks(new Pace(starts, hp.getInt("step_millis"), hp.getLong("slow_step"), hp.getInt("slow_millis"),
                        ctx.outputDataDir().resolve("slow")));
        var history = trainer.fit(model, new CrossEntropyLoss(), opt, loader, null, hp.getInt("epochs"));
        ctx.recordHistory(history);
        ctx.reportMetric("loss", trainer.evaluate(model, new CrossEntropyLoss(), loader).get("loss"));
        ctx.saveModel(model, opt);
    }

    /** Records where the attempt starts and paces its steps. */
    private record Pace(Path starts, int stepMillis, long slowStep, int slowMillis, Path slowMarker) implements Callback {
        @Override
        public void onTrainBegin(TrainingContext ctx) {
            try {
                Files.writeString(starts, ctx.iteration() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            try {
                if (ctx.iteration() == slowStep) {
                    Files.writeString(slowMarker, Long.toString(ctx.iteration()));
                    Thread.sleep(slowMillis);
                } else if (stepMillis > 0) {
                    Thread.sleep(stepMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
