package org.trainer.core.monitor;

import java.util.Arrays;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Module;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/** Short real runs on the bundled digits, for the monitor's tests: a fixed split, plain SGD, per-step losses. */
final class DigitsRuns {
    static final TensorDataset ALL = Digits.load();
    private static final int[] ORDER = Shuffle.permutation(ALL.size(), 7, 0);
    /** The last 497 samples in a seeded order: validation for every run. */
    static final TensorDataset VALIDATION = ALL.subset(Arrays.copyOfRange(ORDER, 1300, ORDER.length));

    private DigitsRuns() {
    }

    /** The first {@code n} samples of the seeded order (n <= 1300). */
    static TensorDataset train(int n) {
        return ALL.subset(Arrays.copyOfRange(ORDER, 0, n));
    }

    /** Trains with accuracy as the metric, on batches shuffled from seed 3, validating on {@link #VALIDATION}. */
    static History fit(Module model, TensorDataset train, double lr, double momentum, int batch, int epochs) {
        return fit(new Trainer().metrics(Accuracy::new), model, train, lr, momentum, batch, epochs);
    }

    /** As above with the caller's trainer (its metrics, callbacks, profiler). */
    static History fit(Trainer trainer, Module model, TensorDataset train, double lr, double momentum, int batch,
                       int epochs) {
        DataLoader loader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(3).build();
        DataLoader val = DataLoader.builder(VALIDATION).batchSize(500).build();
        return trainer.recordStepLosses(true).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), lr, momentum), loader, val, epochs);
    }
}
