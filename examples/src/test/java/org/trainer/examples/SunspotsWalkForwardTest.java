package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The walk-forward example on the sunspot series: folds walk forward and the model beats persistence. */
class SunspotsWalkForwardTest {

    @Test
    void theSeriesIsTheYears1700To2008() {
        double[][] s = SunspotsWalkForward.load();
        assertEquals(309, s[0].length);
        assertEquals(1700, s[0][0]);
        assertEquals(2008, s[0][308]);
        assertEquals(5, s[1][0]);
    }

    @Test
    void foldsWalkForwardAndTheModelBeatsPersistence() {
        List<SunspotsWalkForward.Score> scores = SunspotsWalkForward.run();
        assertEquals(6, scores.size());
        double previousEnd = 0;
        int previousTrain = 0;
        double model = 0;
        double persistence = 0;
        for (SunspotsWalkForward.Score s : scores) {
            assertTrue(s.firstYear() > previousEnd, s.toString());
            assertTrue(s.trainYears() > previousTrain, s.toString());
            previousEnd = s.lastYear();
            previousTrain = s.trainYears();
            model += s.modelRmse();
            persistence += s.persistenceRmse();
        }
        assertEquals(2008, previousEnd);
        assertTrue(model < 0.8 * persistence, "model " + model + " vs persistence " + persistence);
    }
}
