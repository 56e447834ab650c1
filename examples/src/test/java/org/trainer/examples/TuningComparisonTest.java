package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;
import org.trainer.core.nn.Linear;
import org.trainer.hpo.Strategy;
import org.trainer.hpo.TrialState;
import org.trainer.optim.Adam;
import org.trainer.optim.AdamW;
import org.trainer.optim.RMSprop;
import org.trainer.optim.SGD;

/**
 * The machinery of {@link FashionMnistTuning} on the bundled digits at a tiny budget (one epoch
 * per trial, Hyperband up to three): every strategy spends the same epochs, finds a configuration
 * that learns, and has its best model scored on held-out data.
 */
class TuningComparisonTest {

    @Test
    void everyStrategySpendsTheSameEpochBudgetAndItsBestModelIsTested(@TempDir Path dir) {
        TensorDataset all = Digits.load();
        Split split = Splits.stratified(all.targets().toIntArray(), 0.3, 0.2, 0.5, 3);
        TuningComparison comparison = new TuningComparison(split.trainSet(all), split.validationSet(all), split.testSet(all));
        TuningComparison.Budget budget = new TuningComparison.Budget(1, 3, 2, 11);
        int epochs = TuningComparison.epochBudget(budget);
        assertEquals(128, epochs, "2 points for each of the five ranges, 4 optimizers, 1 epoch each");

        List<TuningComparison.Row> rows = comparison.compareAll(budget, dir);

        assertEquals(Arrays.asList(Strategy.values()), rows.stream().map(TuningComparison.Row::strategy).toList());
        Map<Strategy, TuningComparison.Row> by = TuningComparison.byStrategy(rows);
        for (Strategy s : List.of(Strategy.GRID, Strategy.RANDOM, Strategy.BAYESIAN)) {
            assertEquals(128, by.get(s).trials(), s + " trials");
            assertEquals(epochs, by.get(s).epochs(), s + " epochs");
            assertEquals(1, by.get(s).best().intermediate().size());
        }
        TuningComparison.Row hyperband = by.get(Strategy.HYPERBAND);
        assertTrue(hyperband.epochs() >= epochs && hyperband.epochs() < epochs + 3, "Hyperband epochs " + hyperband.epochs());
        assertTrue(hyperband.result().trials().stream().anyMatch(t -> t.state() == TrialState.PRUNED), "Hyperband prunes");
        assertEquals(3, hyperband.best().intermediate().size(), "the best Hyperband trial ran to the maximum");
        assertTrue(Files.exists(dir.resolve("hyperband.jsonl")), "Hyperband's rounds share a journal");

        for (TuningComparison.Row r : rows) {
            assertEquals(TrialState.COMPLETE, r.best().state());
            assertEquals(r.bestValidation(), r.best().value());
            // one epoch on 540 digits: far above chance (0.1), well short of what longer training reaches
            assertTrue(r.bestValidation() > 0.6, r.strategy() + " best validation accuracy " + r.bestValidation());
            assertTrue(r.testOfBest() > 0.6, r.strategy() + " test accuracy of the best " + r.testOfBest());
        }
        String table = TuningComparison.table(rows);
        assertEquals(5, table.lines().count(), table);
        assertEquals(1, table.chars().filter(c -> c == '*').count(), table);
        assertTrue(table.contains(TuningComparison.best(rows).strategy() + " *"), table);
    }

    @Test
    void aJournalLeftInTheWorkDirectoryIsRefused(@TempDir Path dir) throws IOException {
        TensorDataset all = Digits.load();
        Files.writeString(dir.resolve("hyperband.jsonl"), "");
        TuningComparison comparison = new TuningComparison(all, all, all);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> comparison.run(Strategy.HYPERBAND, new TuningComparison.Budget(1, 3, 1, 1), dir));
        assertTrue(e.getMessage().startsWith("TuningComparison: workDir must not hold an earlier journal"), e.getMessage());
    }

    @Test
    void theOptimizerChoiceMapsToTheOptimizers() {
        var params = new Linear(4, 2).parameters();
        assertInstanceOf(SGD.class, TuningComparison.optimizer("sgd", params, 0.1, 0));
        assertInstanceOf(Adam.class, TuningComparison.optimizer("adam", params, 0.1, 0));
        assertInstanceOf(AdamW.class, TuningComparison.optimizer("adamw", params, 0.1, 0));
        assertInstanceOf(RMSprop.class, TuningComparison.optimizer("rmsprop", params, 0.1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TuningComparison.optimizer("lion", params, 0.1, 0));
        assertEquals("TuningComparison: optimizer must be one of [sgd, adam, adamw, rmsprop], got 'lion'", e.getMessage());
    }

    @Test
    void budgetsAndSubsetsRefuseBadArguments() {
        assertEquals("Budget: epochsPerTrial must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new TuningComparison.Budget(0, 9, 2, 1)).getMessage());
        assertEquals("Budget: hyperbandMaxEpochs must be >= 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> new TuningComparison.Budget(1, 1, 2, 1)).getMessage());
        TensorDataset all = Digits.load();
        assertThrows(IllegalArgumentException.class, () -> FashionMnistTuning.subsets(all, 1500, 400, 1));
        TensorDataset[] parts = FashionMnistTuning.subsets(all, 1000, 300, 1);
        // Stratified: each class's part is rounded on its own, so the sizes may miss by a few.
        assertTrue(Math.abs(parts[0].size() - 1000) <= 10 && Math.abs(parts[1].size() - 300) <= 10,
                parts[0].size() + ", " + parts[1].size());
    }
}
