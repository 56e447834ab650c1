package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.SearchSpace;

class SpaceEncodingTest {
    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-4, 1e-1))
            .add("opt", CategoricalRange.of("sgd", "adam", "rmsprop"))
            .add("layers", IntRange.linear(1, 4))
            .build();

    @Test
    void columnsAreNumericPositionsAndOneHotChoices() {
        SpaceEncoding enc = new SpaceEncoding(SPACE);
        assertEquals(5, enc.columns());
        assertArrayEquals(new int[] {0, 4}, enc.numericColumns());
        double[] u = enc.encode(Map.of("lr", 1e-2, "opt", "adam", "layers", 3));
        assertEquals(2.0 / 3.0, u[0], 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, new double[] {u[1], u[2], u[3]});
        assertEquals(0.625, u[4], 1e-12); // the centre of 3's cell in [0.5, 4.5]
        Map<String, Object> back = enc.decode(u);
        assertEquals(1e-2, (Double) back.get("lr"), 1e-12);
        assertEquals("adam", back.get("opt"));
        assertEquals(3, back.get("layers"));
        assertEquals(List.of("lr", "opt", "layers"), List.copyOf(back.keySet()));
    }

    @Test
    void snapRoundsIntegersAndPicksTheLargestChoice() {
        SpaceEncoding enc = new SpaceEncoding(SPACE);
        double[] u = {1.3, 0.2, 0.1, 0.7, 0.3};
        enc.snap(u);
        assertArrayEquals(new double[] {1, 0, 0, 1, 0.375}, u, 1e-12); // 0.3 -> 2.0 -> centre of 2's cell
    }

    @Test
    void unusableOrFarOutOfRangeValuesAreDroppedNearOnesKept() {
        SpaceEncoding enc = new SpaceEncoding(SPACE);
        assertNull(enc.encode(Map.of("lr", 1e-2, "opt", "adam")), "missing parameter");
        assertNull(enc.encode(Map.of("lr", 1e-2, "opt", "lamb", "layers", 2)), "unknown choice");
        assertNull(enc.encode(Map.of("lr", "fast", "opt", "adam", "layers", 2)), "wrong type");
        assertNull(enc.encode(Map.of("lr", -1.0, "opt", "adam", "layers", 2)), "no log of a negative");
        assertNull(enc.encode(Map.of("lr", 10.0, "opt", "adam", "layers", 2)), "beyond the margin");
        double[] near = enc.encode(Map.of("lr", 0.3, "opt", "adam", "layers", 5));
        assertTrue(near[0] > 1 && near[4] > 1, "kept at its true position: " + java.util.Arrays.toString(near));
    }

    @Test
    void randomPointsAreLegal() {
        SpaceEncoding enc = new SpaceEncoding(SPACE);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            Map<String, Object> p = enc.decode(enc.random(rng));
            SPACE.ranges().forEach((name, range) -> assertTrue(range.contains(p.get(name)), name + " = " + p.get(name)));
        }
    }
}
