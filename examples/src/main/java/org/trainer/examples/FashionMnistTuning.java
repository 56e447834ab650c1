package org.trainer.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;

/**
 * Tunes a Fashion-MNIST MLP (learning rate, batch size, hidden units, dropout, weight decay and the
 * optimizer) with each strategy of a tuning job, GRID, RANDOM, BAYESIAN and HYPERBAND, at the same
 * budget of training epochs, two trials at a time, and prints one comparison table
 * ({@link TuningComparison}).
 *
 * <p>To keep the whole search to a few minutes on two cores, the trials train on a fixed
 * stratified subset of 8,000 training images and are validated on 2,000 others (the same for
 * every strategy); only each strategy's best model meets the full 10,000-image test set. The trial
 * table (CSV and JSON) and the plots of the winning strategy go to a new temporary directory,
 * printed at the end.
 */
public final class FashionMnistTuning {
    static final int TRAIN_IMAGES = 8_000;
    static final int VALIDATION_IMAGES = 2_000;

    private FashionMnistTuning() {
    }

    /**
     * A stratified (train, validation) subset of {@code data} of about the given sizes, from
     * {@code seed}: each class keeps its share in both parts, its counts rounded on their own, so a
     * part may miss its size by up to the number of classes (on Fashion-MNIST's equal classes it
     * does not).
     */
    static TensorDataset[] subsets(TensorDataset data, int trainSize, int validationSize, long seed) {
        int n = data.size();
        if (trainSize < 1 || validationSize < 1 || trainSize + validationSize > n) {
            throw new IllegalArgumentException("FashionMnistTuning: need 1 <= trainSize, 1 <= validationSize and their sum <= "
                    + n + ", got " + trainSize + " and " + validationSize);
        }
        // The third part is the rest of the data, left unused; stratification keeps all ten classes
        // at their share in the two parts we train and validate on.
        Split split = Splits.stratified(data.targets().toIntArray(), trainSize / (double) n, validationSize / (double) n,
                (n - trainSize - validationSize) / (double) n, seed);
        return new TensorDataset[] {split.trainSet(data), split.validationSet(data)};
    }

    public static void main(String[] args) throws IOException {
        FashionMnist data = FashionMnist.load(args);
        TensorDataset[] parts = subsets(FashionMnist.NORMALIZE.apply(data.train()), TRAIN_IMAGES, VALIDATION_IMAGES, 1);
        TensorDataset test = FashionMnist.NORMALIZE.apply(data.test());
        TuningComparison.Budget budget = new TuningComparison.Budget(3, 9, 2, 7);
        Path out = Files.createTempDirectory("fashion-mnist-tuning");
        System.out.printf("Tuning on %d training and %d validation images, testing the best of each strategy on %d;%n"
                        + "each strategy may train %d epochs, %d trials at a time.%n%n",
                parts[0].size(), parts[1].size(), test.size(), TuningComparison.epochBudget(budget), budget.parallel());

        List<TuningComparison.Row> rows = new TuningComparison(parts[0], parts[1], test).compareAll(budget, out);

        System.out.println();
        System.out.print(TuningComparison.table(rows));
        System.out.println();
        for (TuningComparison.Row r : rows) {
            System.out.printf("%-9s best: trial %d, %s%n", r.strategy(), r.best().number(), r.best().params());
        }
        TuningComparison.Row top = TuningComparison.best(rows);
        String name = top.strategy().name().toLowerCase(Locale.ROOT);
        Path csv = out.resolve(name + "-trials.csv");
        Path json = out.resolve(name + "-trials.json");
        top.result().writeCsv(csv);
        top.result().writeJson(json);
        List<Path> plots = top.result().writePlots(out.resolve("plots"));
        System.out.printf("%nThe trials of %s (the best validation accuracy, marked *): %s, %s; %d plots in %s%n",
                top.strategy(), csv, json.getFileName(), plots.size(), out.resolve("plots"));
    }
}
