package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
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
 * A tuning job on real data: an MLP on the bundled digits, two trials at a time on threads, each
 * with its own model, seed and loader; the per-epoch validation accuracy goes to the study
 * through {@link PruningCallback}. Same seed, same results, whatever the thread interleaving.
 */
class DigitsTuningTest {
    private static final TensorDataset ALL = Digits.load();
    private static final int[] ORDER = Shuffle.permutation(ALL.size(), 1, 0);
    private static final TensorDataset VALIDATION = ALL.subset(Arrays.copyOfRange(ORDER, 0, 300));
    private static final TensorDataset TRAIN = ALL.subset(Arrays.copyOfRange(ORDER, 300, ORDER.length));

    private static Map<String, Double> train(Trial trial) {
        double lr = (Double) trial.params().get("lr");
        int hidden = (Integer) trial.params().get("hidden");
        long seed = trial.seed();
        Sequential model = new Sequential(new Linear(64, hidden, true, null, Seeds.mix(seed + 1)), new Activation.ReLU(),
                new Linear(hidden, 10, true, null, Seeds.mix(seed + 2)));
        DataLoader train = DataLoader.builder(TRAIN).batchSize(64).shuffle(true).seed(seed).build();
        DataLoader val = DataLoader.builder(VALIDATION).batchSize(300).build();
        History h = new Trainer().metrics(Accuracy::new).callbacks(new PruningCallback(trial, "val_accuracy"))
                .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), lr, 0.9, 0), train, val, 3);
        return Map.of("val_accuracy", h.last("val_accuracy"));
    }

    private static List<FrozenTrial> run() {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).add("hidden", IntRange.log(16, 64)).build();
        return TuningJob.builder().objective("val_accuracy", Direction.MAXIMIZE).ranges(space).strategy(Strategy.RANDOM)
                .maxJobs(4).maxParallelJobs(2).seed(8).build().run(DigitsTuningTest::train).trials();
    }

    @Test
    void parallelTrialsOnRealDataAreReproducible() {
        List<FrozenTrial> first = run();
        assertEquals(first, run());
        assertTrue(first.stream().allMatch(t -> t.state() == TrialState.COMPLETE && t.intermediate().size() == 3));
        double best = first.stream().mapToDouble(FrozenTrial::value).max().orElseThrow();
        assertTrue(best > 0.85, "best validation accuracy " + best);
    }
}
