package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GridSamplerTest {

    @Test
    void pointsPerRangeKind() {
        GridSampler g = new GridSampler(3);
        List<Object> log = g.points(FloatRange.log(1e-4, 1));
        assertEquals(1e-4, (Double) log.get(0));         // the ends exactly
        assertEquals(1e-2, (Double) log.get(1), 1e-15);  // evenly spaced in ln x
        assertEquals(1.0, (Double) log.get(2));
        assertEquals(List.of(0.0, 0.5, 1.0), g.points(FloatRange.linear(0, 1)));
        assertEquals(List.of(1, 2, 3), g.points(IntRange.linear(1, 3)));
        assertEquals(List.of(1, 10, 100), g.points(IntRange.log(1, 100)));
        assertEquals(List.of("a", "b", "c", "d"), g.points(CategoricalRange.of("a", "b", "c", "d")));
    }

    @Test
    void everyCombinationInDocumentedOrderFirstParameterSlowest() {
        SearchSpace space = SearchSpace.builder().add("opt", CategoricalRange.of("sgd", "adam"))
                .add("units", IntRange.linear(1, 3)).build();
        GridSampler g = new GridSampler(5);
        assertEquals(6, g.size(space));
        List<Map<String, Object>> all = g.combinations(space);
        assertEquals(Map.of("opt", "sgd", "units", 1), all.get(0));
        assertEquals(Map.of("opt", "sgd", "units", 2), all.get(1));
        assertEquals(Map.of("opt", "adam", "units", 1), all.get(3));
        assertEquals(6, new HashSet<>(all).size());
    }

    @Test
    void aStudyVisitsEachCombinationOnceEvenInParallel() {
        SearchSpace space = SearchSpace.builder().add("x", FloatRange.linear(-1, 1)).add("y", IntRange.linear(0, 3)).build();
        GridSampler g = new GridSampler(5);
        try (Study study = Study.builder().name("grid").direction(Direction.MINIMIZE).sampler(g).space(space).build()) {
            study.optimize(t -> (Double) t.params().get("x") + (Integer) t.params().get("y"), 20, 3);
            assertEquals(new HashSet<>(g.combinations(space)),
                    new HashSet<>(study.trials().stream().map(FrozenTrial::params).toList()));
            assertEquals(-1.0, study.bestTrial().orElseThrow().value());
        }
    }

    @Test
    void validation() {
        assertEquals("GridSampler: pointsPerRange must be >= 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> new GridSampler(1)).getMessage());
    }
}
