package org.trainer.core.data.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.Fixtures.ints;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.data.DataFixtures;
import org.trainer.core.data.Shuffle;

class WalkForwardTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void foldsMatchScikitLearnsTimeSeriesSplit() {
        JsonNode cases = DataFixtures.root().get("timeSeriesSplit");
        assertTrue(cases.size() >= 5);
        for (JsonNode c : cases) {
            int trainSize = c.get("trainSize").asInt();
            WalkForward w = trainSize > 0 ? WalkForward.sliding(c.get("folds").asInt(), trainSize)
                    : WalkForward.expanding(c.get("folds").asInt());
            if (c.get("validationSize").asInt() > 0) {
                w = w.withValidationSize(c.get("validationSize").asInt());
            }
            w = w.withGap(c.get("gap").asInt());
            List<Fold> got = w.split(c.get("n").asInt());
            JsonNode expected = c.get("expected");
            assertEquals(expected.size(), got.size(), w.toString());
            for (int j = 0; j < got.size(); j++) {
                assertArrayEquals(ints(expected.get(j).get("train")), got.get(j).train(), w + " fold " + j);
                assertArrayEquals(ints(expected.get(j).get("validation")), got.get(j).validation(), w + " fold " + j);
            }
        }
    }

    @Test
    void expandingWindowGrowsAndEveryValidationTimeFollowsEveryTrainingTime() {
        // Yearly times 1700..2008 given in shuffled sample order.
        int n = 309;
        int[] order = Shuffle.permutation(n, 5, 0);
        double[] years = new double[n];
        for (int i = 0; i < n; i++) {
            years[order[i]] = 1700 + i;
        }
        List<Fold> folds = WalkForward.expanding(5).withValidationSize(20).withGap(2).split(years);
        assertEquals(5, folds.size());
        int previousTrain = 0;
        double previousEnd = Double.NEGATIVE_INFINITY;
        for (Fold f : folds) {
            double lastTrain = Arrays.stream(f.train()).mapToDouble(i -> years[i]).max().orElseThrow();
            double firstValidation = Arrays.stream(f.validation()).mapToDouble(i -> years[i]).min().orElseThrow();
            assertEquals(3, firstValidation - lastTrain, "a gap of two years between train and validation");
            assertEquals(1700, Arrays.stream(f.train()).mapToDouble(i -> years[i]).min().orElseThrow());
            assertTrue(f.train().length > previousTrain);
            assertTrue(firstValidation > previousEnd, "validation blocks walk forward without overlap");
            previousEnd = Arrays.stream(f.validation()).mapToDouble(i -> years[i]).max().orElseThrow();
            previousTrain = f.train().length;
            assertEquals(20, f.validation().length);
        }
        assertEquals(2008, previousEnd);
    }

    @Test
    void slidingWindowKeepsTheTrainingLength() {
        List<Fold> folds = WalkForward.sliding(4, 30).withValidationSize(10).split(100);
        for (int j = 0; j < 4; j++) {
            Fold f = folds.get(j);
            assertEquals(30, f.train().length);
            assertEquals(60 + 10 * j, f.validation()[0]);
            assertEquals(f.validation()[0] - 1, f.train()[29]);
        }
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertEquals("WalkForward: 20 samples are too few for 4 folds of 5 validation samples with a gap of 1:"
                + " expected n > folds x validationSize + gap = 21",
                error(() -> WalkForward.expanding(4).withValidationSize(5).withGap(1).split(20)));
        assertEquals("WalkForward: 3 samples are too few for 3 folds of 0 validation samples with a gap of 0:"
                + " expected n > folds x validationSize + gap = 3", error(() -> WalkForward.expanding(3).split(3)));
        assertEquals("WalkForward: folds must be >= 1, got 0", error(() -> WalkForward.expanding(0)));
        assertEquals("WalkForward: trainSize must be >= 1 sample, got 0", error(() -> WalkForward.sliding(3, 0)));
        assertEquals("WalkForward: gap must be >= 0 samples, got -1", error(() -> WalkForward.expanding(3).withGap(-1)));
        assertEquals("WalkForward: validationSize must be >= 1 sample, got 0",
                error(() -> WalkForward.expanding(3).withValidationSize(0)));
        assertEquals("WalkForward.split: samples 0 and 2 share the time 3.0: expected distinct times",
                error(() -> WalkForward.expanding(1).split(new double[] {3, 1, 3, 4})));
    }
}
