package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;

/** The range test on the bundled digits with an MLP and SGD with momentum. */
class LrFinderTest {
    static TensorDataset digits;

    @BeforeAll
    static void load() {
        digits = Digits.load();
    }

    static Sequential mlp() {
        Seeds.set(5);
        return new Sequential(new Linear(64, 64), new Activation.ReLU(), new Linear(64, 10));
    }

    static Map<String, float[]> weights(Sequential model) {
        Map<String, float[]> w = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> w.put(k, v.toFloatArray()));
        return w;
    }

    @Test
    void suggestsASensibleRateRestoresTheWeightsAndTheSuggestionTrains() {
        Sequential model = mlp();
        DataLoader loader = DataLoader.builder(digits).batchSize(32).shuffle(true).seed(3).build();
        Map<String, float[]> before = weights(model);
        model.eval();

        LrFinderResult r = new LrFinder(1e-5, 10, 120).run(model, new CrossEntropyLoss(),
                lr -> new SGD(model.parameters(), SGD.options(lr).withMomentum(0.9)), loader);

        // Restored: bitwise the same weights, no gradient left, evaluation mode kept, loader untouched.
        Map<String, float[]> after = weights(model);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        model.parameters().forEach(p -> assertTrue(p.grad() == null || p.grad().abs().sum().item() == 0));
        assertFalse(model.isTraining());
        assertEquals(0, loader.epoch());

        assertTrue(r.diverged(), "the loss should blow up well before lr = 10: " + r);
        double lr = r.suggestion();
        assertTrue(lr >= 1e-3 && lr <= 1, "suggestion " + lr);
        double[] rates = r.learningRates();
        for (int i = 1; i < rates.length; i++) {
            assertTrue(rates[i] > rates[i - 1]);
        }
        assertEquals(1e-5, rates[0], 1e-20);

        Trainer trainer = new Trainer();
        double lossBefore = trainer.evaluate(model, new CrossEntropyLoss(), loader).get("loss");
        trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), SGD.options(lr).withMomentum(0.9)), loader, null, 3);
        double lossAfter = trainer.evaluate(model, new CrossEntropyLoss(), loader).get("loss");
        assertTrue(lossAfter < 0.5 * lossBefore, "loss " + lossBefore + " -> " + lossAfter + " at lr " + lr);
    }

    @Test
    void theRatesGrowExponentiallyFromStartToEnd() {
        LrFinder f = new LrFinder(1e-4, 1, 5);
        double[] expected = {1e-4, 1e-3, 1e-2, 1e-1, 1};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], f.learningRate(i), expected[i] * 1e-12);
        }
    }

    @Test
    void tooFewPointsForASuggestionIsExplained() {
        Sequential model = mlp();
        DataLoader loader = DataLoader.builder(digits).batchSize(256).build();
        LrFinderResult r = new LrFinder(1e-3, 1e-2, 8).run(model, new CrossEntropyLoss(),
                lr -> new SGD(model.parameters(), lr), loader);
        assertEquals(8, r.size());  // cycles through the 8 batches (7 of 256 and one of 5)
        var e = assertThrows(IllegalStateException.class, r::suggestion);
        assertEquals("LrFinderResult: 8 points recorded, -7 left after skipping 10 + 5; need at least 2 (start from "
                + "a smaller rate, run more steps or skip fewer points)", e.getMessage());
        assertTrue(r.toString().endsWith("suggestion=none]"), r.toString());
    }

    @Test
    void argumentsAreValidatedWithTheirNames() {
        assertEquals("LrFinder: startLr must be a finite value > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder(0, 1, 10)).getMessage());
        assertEquals("LrFinder: endLr must be greater than startLr, got startLr=1.0, endLr=0.1",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder(1, 0.1, 10)).getMessage());
        assertEquals("LrFinder: steps must be >= 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder(1e-5, 1, 1)).getMessage());
        assertEquals("LrFinder: smoothing must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder().smoothing(1)).getMessage());
        assertEquals("LrFinder: divergence must be a finite value > 1, got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder().divergence(1)).getMessage());
        assertEquals("LrFinder: skipStart must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new LrFinder().skip(-1, 0)).getMessage());
    }
}
