package org.trainer.hpo;

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
 * A training job for the spot-trial tests: fits y = x w + b on the "train" channel with SGD at the
 * trial's learning rate, checkpointing every 4 steps, and reports the final "loss". Each step sleeps
 * {@code step_millis}, so that an interruption finds it training; sleeping changes no number.
 */
public class CheckpointingFitJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().number("lr").integer("epochs", 30).integer("step_millis", 0);
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Map<String, Tensor> data = Safetensors.read(ctx.channel("train").resolve("data.safetensors"));
        TensorDataset ds = new TensorDataset(data.get("x"), data.get("y"));
        DataLoader loader = DataLoader.builder(ds).batchSize(16).shuffle(true).seed(3).build();
        Linear model = new Linear(3, 1, true, null, 11);
        int pause = ctx.hyperparameters().getInt("step_millis");
        Trainer trainer = new Trainer().checkpoints(ctx.checkpointing().everySteps(4).build())
                .callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(TrainingContext c, int batch, double loss) {
                        try {
                            Thread.sleep(pause);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        trainer.fit(model, new MseLoss(), new SGD(model.parameters(), ctx.hyperparameters().getDouble("lr")), loader,
                null, ctx.hyperparameters().getInt("epochs"));
        ctx.reportMetric("loss", trainer.evaluate(model, new MseLoss(), loader).get("loss"));
    }
}
