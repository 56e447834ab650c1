package org.trainer.optim;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.checkpoint.Checkpointing;

/**
 * The training run of {@link KillAndResumeTest}, in a JVM of its own: the bundled digits, an MLP
 * with two dropout layers, Adam with a per-iteration cosine schedule, checkpoints every 5 steps and
 * at each epoch's end. Arguments: the result file, then the checkpoint directory (absent: no
 * checkpoints). The result file holds the final weights ("model.*") and the history
 * ("history.*", "step_losses"), written atomically when training ends.
 */
public final class KillAndResumeMain {
    static final int EPOCHS = 6;

    private KillAndResumeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path result = Path.of(args[0]);
        Seeds.set(2024);
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 2024, 0);
        TensorDataset train = all.subset(Arrays.copyOfRange(order, 300, order.length));
        TensorDataset val = all.subset(Arrays.copyOfRange(order, 0, 300));
        Sequential model = new Sequential(new Linear(64, 96), new Activation.ReLU(), new Dropout(0.2),
                new Linear(96, 48), new Activation.ReLU(), new Dropout(0.1), new Linear(48, 10));
        DataLoader trainLoader = DataLoader.builder(train).batchSize(32).shuffle(true).seed(2024).prefetch(1).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(100).build();
        Adam adam = new Adam(model.parameters(), Adam.options(0.003).withWeightDecay(1e-4));
        Trainer trainer = new Trainer().metrics(Accuracy::new).recordStepLosses(true)
                .schedule(new CosineSchedule((long) EPOCHS * trainLoader.batchesPerEpoch(), 1e-4).perIteration(true));
        if (args.length > 1) {
            trainer.checkpoints(Checkpointing.builder(Path.of(args[1])).everySteps(5).keepLast(3)
                    .metadata("test", "KillAndResumeTest").build());
        }
        History h = trainer.fit(model, new CrossEntropyLoss(), adam, trainLoader, valLoader, EPOCHS);

        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put("model." + k, v));
        h.all().forEach((k, v) -> out.put("history." + k, doubles(v)));
        out.put("step_losses", doubles(h.stepLosses()));
        Safetensors.save(out, Map.of(), result);
    }

    private static Tensor doubles(List<Double> values) {
        return Tensor.fromArray(values.stream().mapToDouble(Double::doubleValue).toArray(), values.size());
    }
}
