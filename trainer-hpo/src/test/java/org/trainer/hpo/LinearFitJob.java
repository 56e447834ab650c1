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
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * A training job for the tests: fits y = x w + b on the "train" channel with SGD at the trial's
 * learning rate and reports the final "loss"; with mode "crash" its JVM dies without a word.
 */
public class LinearFitJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec().number("lr").choice("mode", "train", "train", "crash").integer("epochs", 10);
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        if (ctx.hyperparameters().getString("mode").equals("crash")) {
            Runtime.getRuntime().halt(3);
        }
        Map<String, Tensor> data = Safetensors.read(ctx.channel("train").resolve("data.safetensors"));
        TensorDataset ds = new TensorDataset(data.get("x"), data.get("y"));
        DataLoader loader = DataLoader.builder(ds).batchSize(16).build();
        Linear model = new Linear(3, 1, true, null, 11);
        Trainer trainer = new Trainer();
        trainer.fit(model, new MseLoss(), new SGD(model.parameters(), ctx.hyperparameters().getDouble("lr")), loader,
                null, ctx.hyperparameters().getInt("epochs"));
        ctx.reportMetric("loss", trainer.evaluate(model, new MseLoss(), loader).get("loss"));
    }
}
