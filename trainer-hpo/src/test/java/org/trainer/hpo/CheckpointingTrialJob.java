package org.trainer.hpo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.JobContext;
import org.trainer.core.job.JobDefinition;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Linear;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.optim.SGD;

/**
 * A trial job for the fault tests: fits y = x w + b on the "train" channel with SGD at the trial's
 * learning rate, checkpointing every 4 steps into the job's checkpoints/ (so that a trial run
 * again after a kill resumes), and reports the final "loss". Each step waits {@code step_ms}, so
 * that a trial lasts long enough to be killed in the middle, and longer while the file
 * {@code pause_file} exists, so that a trial JVM left running by a killed tuner would run on (and
 * be seen); the waits change no number.
 */
public class CheckpointingTrialJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().number("lr").integer("epochs", 6).integer("step_ms", 0).atLeast("step_ms", 0)
                .string("pause_file", "");
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Map<String, Tensor> data = Safetensors.read(ctx.channel("train").resolve("data.safetensors"));
        TensorDataset ds = new TensorDataset(data.get("x"), data.get("y"));
        DataLoader loader = DataLoader.builder(ds).batchSize(16).build();
        Linear model = new Linear(3, 1, true, null, 11);
        long stepMillis = ctx.hyperparameters().getLong("step_ms");
        String pause = ctx.hyperparameters().getString("pause_file");
        Path pauseFile = pause.isEmpty() ? null : Path.of(pause);
        Trainer trainer = new Trainer().checkpoints(ctx.checkpointing().everySteps(4).keepLast(2).build())
                .callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(TrainingContext c, int batch, double loss) {
                        try {
                            Thread.sleep(stepMillis);
                            while (pauseFile != null && Files.exists(pauseFile)) {
                                Thread.sleep(20);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        SGD sgd = new SGD(model.parameters(), ctx.hyperparameters().getDouble("lr"));
        trainer.fit(model, new MseLoss(), sgd, loader, null, ctx.hyperparameters().getInt("epochs"));
        ctx.saveModel(model, sgd);
        ctx.reportMetric("loss", trainer.evaluate(model, new MseLoss(), loader).get("loss"));
    }
}
