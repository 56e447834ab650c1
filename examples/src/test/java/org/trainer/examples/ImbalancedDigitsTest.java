package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.TensorDataset;

/** The imbalance example on the digits: stratification keeps the rare class, reweighting finds it. */
class ImbalancedDigitsTest {

    @Test
    void theDatasetIsNinetyFiveToFive() {
        int[] y = ImbalancedDigits.dataset().targets().toIntArray();
        assertEquals(1708, y.length);
        assertEquals(85, Arrays.stream(y).sum());
    }

    @Test
    void stratifiedSplitsAlwaysHoldTheExpectedPositivesAndRandomOnesDoNot() {
        int[] y = ImbalancedDigits.dataset().targets().toIntArray();
        int[][] counts = ImbalancedDigits.testPositives(y, 20);
        assertTrue(Arrays.stream(counts[1]).allMatch(c -> c == 12 || c == 13), Arrays.toString(counts[1]));
        int spread = Arrays.stream(counts[0]).max().orElseThrow() - Arrays.stream(counts[0]).min().orElseThrow();
        assertTrue(spread >= 5, "random splits vary: " + Arrays.toString(counts[0]));
    }

    @Test
    void classWeightsSamplerAndSmoteEachFindMoreEightsThanPlainTraining() {
        TensorDataset data = ImbalancedDigits.dataset();
        Map<String, ImbalancedDigits.Result> r = ImbalancedDigits.compare(data);
        double plain = r.get("plain").recall();
        for (String m : new String[] {"balanced class weights", "weighted sampler", "SMOTE (k = 5)"}) {
            assertTrue(r.get(m).recall() >= plain + 0.15, m + " recall " + r.get(m).recall() + " vs plain " + plain);
        }
        assertEquals(85, r.get("plain").truePositives() + r.get("plain").falseNegatives(), "every positive scored once");
        assertEquals(r.get("SMOTE (k = 5)"), ImbalancedDigits.compare(data).get("SMOTE (k = 5)"), "same seed, same result");
    }
}
