package org.trainer.examples;

import java.util.Map;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Module;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * The training recipe the Fashion-MNIST examples share: normalised images, batches of 64 shuffled
 * from seed 1, SGD with momentum 0.9 at learning rate 0.02, ten times smaller from
 * {@code decayEpoch} on; prints the history and the test accuracy and returns the latter.
 */
final class FashionMnistTraining {
    private FashionMnistTraining() {
    }

    static double run(Module model, FashionMnist data, int epochs, int decayEpoch) {
        DataLoader train = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.train())).batchSize(64).shuffle(true)
                .seed(1).prefetch(2).build();
        DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
        // A tenfold smaller learning rate for the last epochs settles the weights.
        Trainer trainer = new Trainer().metrics(Accuracy::new).progressBar(true)
                .schedule((base, epoch) -> epoch < decayEpoch ? base : base * 0.1);
        long start = System.nanoTime();
        History history = trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.02, 0.9, 0),
                train, test, epochs);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.print(history);
        Map<String, Double> result = trainer.evaluate(model, new CrossEntropyLoss(), test);
        System.out.printf("test accuracy %.4f after %d epochs (%.1f s, %.0f training samples/s)%n",
                result.get("accuracy"), history.epochCount(), seconds,
                history.epochCount() * (double) data.train().size() / seconds);
        return result.get("accuracy");
    }
}
