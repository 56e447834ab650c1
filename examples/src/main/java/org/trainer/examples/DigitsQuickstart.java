package org.trainer.examples;

import java.util.Arrays;
import java.util.Map;

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
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * The quick start: the bundled UCI handwritten digits (8x8 images, 1,797 samples), an MLP, SGD with
 * momentum, 20 epochs in a few seconds, then the test accuracy (about 0.97).
 */
public final class DigitsQuickstart {
    private DigitsQuickstart() {
    }

    public static void main(String[] args) {
        double accuracy = run(true);
        System.out.printf("test accuracy: %.4f%n", accuracy);
    }

    /** Trains the model and returns its accuracy on the held-out fifth of the digits. */
    static double run(boolean progressBar) {
        Seeds.set(42);
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 42, 0);
        int testSize = all.size() / 5;
        TensorDataset test = all.subset(Arrays.copyOfRange(order, 0, testSize));
        TensorDataset train = all.subset(Arrays.copyOfRange(order, testSize, order.length));

        Sequential model = new Sequential(
                new Linear(64, 128), new Activation.ReLU(),
                new Linear(128, 10));
        SGD optimizer = new SGD(model.parameters(), SGD.options(0.05).withMomentum(0.9).withWeightDecay(1e-4));
        DataLoader trainLoader = DataLoader.builder(train).batchSize(32).shuffle(true).seed(42).build();
        DataLoader testLoader = DataLoader.builder(test).batchSize(256).build();

        Trainer trainer = new Trainer().metrics(Accuracy::new).progressBar(progressBar);
        History history = trainer.fit(model, new CrossEntropyLoss(), optimizer, trainLoader, null, 20);
        Map<String, Double> result = trainer.evaluate(model, new CrossEntropyLoss(), testLoader);

        System.out.printf("%s%n", model);
        System.out.printf("trained %d epochs x %d iterations; final training loss %.4f, accuracy %.4f%n",
                history.epochCount(), trainLoader.batchesPerEpoch(), history.last("loss"), history.last("accuracy"));
        System.out.printf("test set: %d samples, loss %.4f%n", test.size(), result.get("loss"));
        return result.get("accuracy");
    }
}
