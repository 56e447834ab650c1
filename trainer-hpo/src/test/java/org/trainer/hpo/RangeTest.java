package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Scaling round trips and validation of the ranges and the search space. */
class RangeTest {

    @Test
    void floatScalingsRoundTrip() {
        for (FloatRange r : List.of(FloatRange.linear(-2, 5), FloatRange.log(1e-5, 10), FloatRange.reverseLog(0, 0.999))) {
            for (double u = 0; u <= 1.0; u += 0.05) {
                double x = r.fromUnit(u);
                assertTrue(r.contains(x), r + " " + x);
                assertEquals(u, r.toUnit(x), 1e-12, r + " at u=" + u);
            }
            assertEquals(r.low(), r.fromUnit(0), Math.abs(r.low()) * 1e-12 + 1e-15);
            assertEquals(r.high(), r.fromUnit(1), Math.abs(r.high()) * 1e-12);
        }
    }

    @Test
    void logScalingIsGeometricAndReverseLogIsFineNearOne() {
        assertEquals(1e-3, FloatRange.log(1e-5, 1e-1).fromUnit(0.5), 1e-15);
        // 1 - x is log-uniform: the midpoint of [0, 0.999] is 1 - sqrt(0.001)
        assertEquals(1 - Math.sqrt(0.001), FloatRange.reverseLog(0, 0.999).fromUnit(0.5), 1e-12);
        assertEquals(0.5, FloatRange.linear(0, 1).fromUnit(0.5));
    }

    @Test
    void fromUnitClamps() {
        assertEquals(5.0, FloatRange.linear(-2, 5).fromUnit(1.7));
        assertEquals(3, IntRange.linear(3, 9).fromUnit(-0.2));
        assertEquals("c", CategoricalRange.of("a", "b", "c").fromUnit(4));
    }

    @Test
    void integersOwnEqualSharesAndRoundTrip() {
        IntRange r = IntRange.linear(1, 4);
        int[] counts = new int[5];
        int n = 4000;
        for (int i = 0; i < n; i++) {
            counts[r.fromUnit((i + 0.5) / n)]++;
        }
        for (int k = 1; k <= 4; k++) {
            assertEquals(1000, counts[k], k + ": " + counts[k]);
            assertEquals(k, r.fromUnit(r.toUnit(k)));
        }
        IntRange log = IntRange.log(16, 256);
        for (int k = 16; k <= 256; k++) {
            assertEquals(k, log.fromUnit(log.toUnit(k)));
        }
    }

    @Test
    void categoricalRoundTripAndContains() {
        CategoricalRange c = CategoricalRange.of("sgd", "adam", 3, true);
        for (Object v : c.choices()) {
            assertEquals(v, c.fromUnit(c.toUnit(v)));
            assertTrue(c.contains(v));
        }
        assertFalse(c.contains("rmsprop"));
        assertEquals(0.0, CategoricalRange.of("only").toUnit("only"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.indexOf("rmsprop"));
        assertEquals("CategoricalRange: rmsprop is not one of [sgd, adam, 3, true]", e.getMessage());
    }

    @Test
    void containsChecksTypeAndBounds() {
        assertFalse(FloatRange.linear(0, 1).contains(1));       // an Integer is not a float value
        assertFalse(FloatRange.linear(0, 1).contains(1.5));
        assertFalse(IntRange.linear(0, 10).contains(3.0));
        assertFalse(IntRange.linear(0, 10).contains(11));
        assertTrue(IntRange.linear(0, 10).contains(10));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void validationMessagesNameTheRangeAndTheRule() {
        assertEquals("FloatRange: LOG scaling needs low > 0, got [0.0, 1.0]", message(() -> FloatRange.log(0, 1)));
        assertEquals("FloatRange: LOG scaling needs low > 0, got [-1.0, 1.0]", message(() -> FloatRange.log(-1, 1)));
        assertEquals("FloatRange: low must be <= high, got [2.0, 1.0]", message(() -> FloatRange.log(2, 1)));
        assertEquals("FloatRange: low and high must be finite, got [0.0, Infinity]",
                message(() -> FloatRange.linear(0, Double.POSITIVE_INFINITY)));
        assertEquals("FloatRange: REVERSE_LOG scaling needs 0 <= low <= high < 1, got [0.5, 1.0]",
                message(() -> FloatRange.reverseLog(0.5, 1)));
        assertEquals("IntRange: LOG scaling needs low > 0, got [0, 10]", message(() -> IntRange.log(0, 10)));
        assertEquals("IntRange: low must be <= high, got [6, 5]", message(() -> IntRange.linear(6, 5)));
        assertEquals("IntRange: scaling must be LINEAR or LOG, got REVERSE_LOG",
                message(() -> new IntRange(0, 1, Scale.REVERSE_LOG)));
        assertEquals("CategoricalRange: choices must not be empty", message(CategoricalRange::of));
        assertEquals("CategoricalRange: choices must be distinct, got [a, a]", message(() -> CategoricalRange.of("a", "a")));
        // only types that a journal reads back as the same value
        assertEquals("CategoricalRange: a choice must be a String, Integer, finite Double or Boolean, got Float 0.5 in [a, 0.5];"
                + " convert it (e.g. 1e-3f -> 1e-3, 64L -> 64)", message(() -> CategoricalRange.of("a", 0.5f)));
        assertEquals("CategoricalRange: a choice must be a String, Integer, finite Double or Boolean, got Long 64 in [64];"
                + " convert it (e.g. 1e-3f -> 1e-3, 64L -> 64)", message(() -> CategoricalRange.of(64L)));
        assertTrue(message(() -> CategoricalRange.of(new java.math.BigDecimal("0.1"))).contains("got BigDecimal 0.1"));
        assertTrue(message(() -> CategoricalRange.of(Double.NaN)).contains("got Double NaN"));
        assertTrue(message(() -> CategoricalRange.of(Scale.LOG)).endsWith("got Scale LOG in [LOG]; use its name"));
    }

    @Test
    void searchSpaceKeepsOrderAndRefusesDuplicatesAndUnknownNames() {
        SearchSpace s = SearchSpace.builder().add("lr", FloatRange.log(1e-4, 1)).add("units", IntRange.log(16, 256)).build();
        assertEquals(List.of("lr", "units"), List.copyOf(s.ranges().keySet()));
        assertEquals("SearchSpace: parameter 'lr' is declared twice",
                message(() -> SearchSpace.builder().add("lr", FloatRange.linear(0, 1)).add("lr", FloatRange.linear(0, 2))));
        assertEquals("SearchSpace: no parameter named 'momentum'; have [lr, units]", message(() -> s.range("momentum")));
    }
}
