package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/** The README's define-by-run example, as written there (fewer trials and epochs). */
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() {
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 42, 0);
        DataLoader valLoader = DataLoader.builder(all.subset(Arrays.copyOfRange(order, 0, 300))).batchSize(300).build();
        DataLoader trainLoader = DataLoader.builder(all.subset(Arrays.copyOfRange(order, 300, order.length)))
                .batchSize(64).shuffle(true).seed(42).build();
        int epochs = 2;
        FrozenTrial found;
        try (Study study = Study.builder().name("digits").direction(Direction.MAXIMIZE).pruner(new MedianPruner()).seed(42).build()) {
            study.optimize(trial -> {
                double lr = trial.suggestFloat("lr", 1e-4, 1, Scale.LOG);           // log-uniform
                int hidden = trial.suggestInt("hidden", 16, 256, Scale.LOG);
                Sequential model = new Sequential(new Linear(64, hidden, true, null, trial.seed()), new Activation.ReLU(),
                        new Linear(hidden, 10, true, null, trial.seed() + 1));
                History h = new Trainer().metrics(Accuracy::new).callbacks(new PruningCallback(trial, "val_accuracy"))
                        .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), lr, 0.9, 0), trainLoader, valLoader, epochs);
                return h.last("val_accuracy");                                       // stopped early: recorded PRUNED
            }, 4, 2);                                                                // 4 trials, 2 at a time
            FrozenTrial best = study.bestTrial().orElseThrow();
            found = best;
            assertEquals(4, study.trials().size());
        }
        assertTrue(found.value() > 0.5, found.toString());
    }
}
