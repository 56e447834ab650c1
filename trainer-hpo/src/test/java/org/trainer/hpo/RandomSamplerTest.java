package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RandomSamplerTest {
    private final SearchSpace space = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-4, 1))
            .add("batch", CategoricalRange.of(16, 32, 64, 128))
            .add("units", IntRange.linear(1, 4))
            .build();

    @Test
    void logRangeIsUniformInLogSpaceAndChoicesAreEquallyLikely() {
        RandomSampler s = new RandomSampler();
        int n = 8000;
        int[] decade = new int[4];
        int[] batch = new int[4];
        int[] units = new int[5];
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = s.sample(space, List.of(), Direction.MINIMIZE, i);
            double lr = (Double) p.get("lr");
            decade[(int) Math.min(3, Math.floor(Math.log10(lr) + 4))]++;
            batch[CategoricalRange.of(16, 32, 64, 128).indexOf(p.get("batch"))]++;
            units[(Integer) p.get("units")]++;
        }
        // Each decade of [1e-4, 1], each choice and each integer: n / 4, within 4 standard deviations.
        double sd = Math.sqrt(n * 0.25 * 0.75);
        for (int k = 0; k < 4; k++) {
            assertEquals(n / 4.0, decade[k], 4 * sd, "decade " + k);
            assertEquals(n / 4.0, batch[k], 4 * sd, "choice " + k);
            assertEquals(n / 4.0, units[k + 1], 4 * sd, "integer " + (k + 1));
        }
    }

    @Test
    void seeded() {
        RandomSampler s = new RandomSampler();
        assertEquals(s.sample(space, List.of(), Direction.MINIMIZE, 42), s.sample(space, List.of(), Direction.MINIMIZE, 42));
        assertNotEquals(s.sample(space, List.of(), Direction.MINIMIZE, 42), s.sample(space, List.of(), Direction.MINIMIZE, 43));
    }
}
