package org.trainer.core.job;

import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Linear;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/**
 * A job for the tests: linear regression on the "train" channel (data.safetensors with "x" and
 * "y"), full-batch SGD with momentum; starts from the "model" channel when present. Reports the
 * loss before training, the first step's loss and the loss after training.
 */
public class RegressionJob implements JobDefinition {

    @Override
    public HyperparameterSpec hyperparameters() {
        return new HyperparameterSpec()
                .integer("epochs", 5)
                .number("learning_rate", 0.05)
                .number("momentum", 0.9)
                .bool("resume_optimizer", true)
                .integer("fail_at_epoch", -1)
                .bool("checkpoint", false);
    }

    @Override
    public void train(JobContext ctx) throws Exception {
        Hyperparameters hp = ctx.hyperparameters();
        Map<String, Tensor> data = Safetensors.read(ctx.channel("train").resolve("data.safetensors"));
        TensorDataset ds = new TensorDataset(data.get("x"), data.get("y"));
        DataLoader loader = DataLoader.builder(ds).batchSize(ds.size()).build();
        Linear model = new Linear(3, 1, true, null, 7);
        var start = ctx.initialModel();
        if (start.isPresent()) {
            start.get().loadInto(model);
        }
        MomentumSgd opt = new MomentumSgd(model.parameters(), hp.getDouble("learning_rate"), hp.getDouble("momentum"));
        if (start.isPresent() && hp.getBoolean("resume_optimizer") && start.get().hasOptimizerState()) {
            start.get().loadOptimizerState(opt);
        }
        Trainer trainer = new Trainer().recordStepLosses(true);
        if (hp.getBoolean("checkpoint")) {
            trainer.checkpoints(ctx.checkpointing().build());
        }
        int failAt = hp.getInt("fail_at_epoch");
        if (failAt >= 0) {
            trainer.callbacks(new org.trainer.core.train.Callback() {
                @Override
                public void onEpochBegin(org.trainer.core.train.TrainingContext c, int epoch) {
                    if (epoch == failAt) {
                        throw new IllegalStateException("diverged at epoch " + epoch);
                    }
                }
            });
        }
        ctx.reportMetric("initial_loss", trainer.evaluate(model, new MseLoss(), loader).get("loss"));
        History h = trainer.fit(model, new MseLoss(), opt, loader, null, hp.getInt("epochs"));
        List<Double> steps = h.stepLosses();
        ctx.recordHistory(h);
        ctx.reportMetric("first_step_loss", steps.isEmpty() ? Double.NaN : steps.get(0));
        ctx.reportMetric("final_loss", trainer.evaluate(model, new MseLoss(), loader).get("loss"));
        ctx.saveModel(model, opt);
    }
}
