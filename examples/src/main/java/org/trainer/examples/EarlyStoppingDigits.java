package org.trainer.examples;

import java.util.Arrays;
import java.util.List;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.EarlyStopping;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * Early stopping on an over-fitting model: a 64-1024-1024-10 MLP (about 1.1 million weights)
 * learns 100 of the bundled handwritten digits; the training loss keeps falling while the loss on
 * 500 held-out digits turns up. {@link EarlyStopping} watches "val_loss" with patience 10, stops,
 * and puts the weights of the best epoch back. Prints the epoch it stopped at and both losses.
 */
public final class EarlyStoppingDigits {
    private EarlyStoppingDigits() {
    }

    public static void main(String[] args) {
        Seeds.set(3);
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 3, 0);
        TensorDataset train = all.subset(Arrays.copyOfRange(order, 0, 100));
        TensorDataset val = all.subset(Arrays.copyOfRange(order, 100, 600));
        Sequential model = new Sequential(
                new Linear(64, 1024), new Activation.ReLU(),
                new Linear(1024, 1024), new Activation.ReLU(),
                new Linear(1024, 10));
        DataLoader trainLoader = DataLoader.builder(train).batchSize(10).shuffle(true).seed(3).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(500).build();

        EarlyStopping stop = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 10, 0, true);
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(stop);
        History h = trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.05, 0.9, 0),
                trainLoader, valLoader, 200);

        System.out.print(h);
        List<Double> loss = h.get("loss");
        List<Double> valLoss = h.get("val_loss");
        int best = stop.bestEpoch();
        int last = h.epochCount() - 1;
        System.out.printf("stopped after epoch %d of 200 (best epoch %d, patience 10)%n", stop.stoppedEpoch() + 1,
                best + 1);
        System.out.printf("  best epoch %3d: training loss %.4f, validation loss %.4f%n", best + 1, loss.get(best),
                valLoss.get(best));
        System.out.printf("  last epoch %3d: training loss %.4f, validation loss %.4f%n", last + 1, loss.get(last),
                valLoss.get(last));
        System.out.printf("restored the best weights: validation loss %.4f, accuracy %.4f%n",
                trainer.evaluate(model, new CrossEntropyLoss(), valLoader).get("loss"),
                trainer.evaluate(model, new CrossEntropyLoss(), valLoader).get("accuracy"));
    }
}
