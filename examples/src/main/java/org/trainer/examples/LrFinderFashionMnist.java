package org.trainer.examples;

import java.io.IOException;
import java.util.Map;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.LrFinder;
import org.trainer.optim.LrFinderResult;
import org.trainer.optim.SGD;

/**
 * The learning-rate range test on Fashion-MNIST: the 784-512-256-10 MLP of {@link FashionMnistMlp}
 * with SGD (momentum 0.9) tries rates from 1e-6 to 3 over 200 batches of 64, the finder suggests
 * the rate where the smoothed loss falls fastest, and the same model (its weights restored by the
 * finder) then trains 3 epochs at that rate. The data comes from a directory given as the first
 * argument, the FASHION_MNIST_DIR environment variable, or Debian's dataset-fashion-mnist package.
 */
public final class LrFinderFashionMnist {
    private LrFinderFashionMnist() {
    }

    public static void main(String[] args) throws IOException {
        FashionMnist data = FashionMnist.load(args);
        Seeds.set(1);
        Sequential model = FashionMnistMlp.model();
        DataLoader train = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.train())).batchSize(64).shuffle(true)
                .seed(1).prefetch(2).build();
        DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();

        long start = System.nanoTime();
        LrFinderResult range = new LrFinder(1e-6, 3, 200).run(model, new CrossEntropyLoss(),
                lr -> new SGD(model.parameters(), lr, 0.9, 0), train);
        double lr = range.suggestion();
        System.out.printf("range test: %d batches in %.1f s, %s%n", range.size(), (System.nanoTime() - start) / 1e9,
                range.diverged() ? "stopped when the loss diverged" : "no divergence");
        System.out.print(range.summary(20));
        double[] smoothed = range.smoothedLosses();
        int lowest = 0;
        for (int i = 1; i < smoothed.length; i++) {
            lowest = smoothed[i] < smoothed[lowest] ? i : lowest;
        }
        System.out.printf("lowest smoothed loss %.4f at lr %.3g; suggested lr (steepest descent) %.4g%n",
                smoothed[lowest], range.learningRates()[lowest], lr);

        Trainer trainer = new Trainer().metrics(Accuracy::new).progressBar(true);
        start = System.nanoTime();
        History history = trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), lr, 0.9, 0), train,
                test, 3);
        System.out.print(history);
        Map<String, Double> result = trainer.evaluate(model, new CrossEntropyLoss(), test);
        System.out.printf("test accuracy %.4f after %d epochs at lr %.4g (%.1f s)%n", result.get("accuracy"),
                history.epochCount(), lr, (System.nanoTime() - start) / 1e9);
    }
}
