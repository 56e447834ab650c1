package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README's main example on the bundled digits: trains end to end and generalises. */
class DigitsQuickstartTest {

    @Test
    void reachesNinetyFivePercentOnHeldOutDigits() {
        double accuracy = DigitsQuickstart.run(false);
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    @Test
    void sameSeedSameResult() {
        assertEquals(DigitsQuickstart.run(false), DigitsQuickstart.run(false));
    }
}
