package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WarmStartTest {
    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("x", FloatRange.linear(-1, 1)).add("y", FloatRange.linear(-1, 1)).build();

    private static double f(Map<String, Object> p) {
        double x = (Double) p.get("x");
        double y = (Double) p.get("y");
        return (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2); // minimum 0 at (0.3, -0.2)
    }

    private static Study run(long seed, WarmStart.Priors priors, int trials, Sampler sampler) {
        Study.Builder b = Study.builder().name("ws").direction(Direction.MINIMIZE).space(SPACE).seed(seed).sampler(sampler);
        if (priors != null) {
            b.priors(priors);
        }
        Study s = b.build();
        s.optimize(t -> f(t.params()), trials);
        return s;
    }

    /** New trials until the best so far (warm-start observations included) is within {@code regret}; trials + 1 if never. */
    private static int trialsToReach(Study s, double regret) {
        double best = s.priors().stream().mapToDouble(FrozenTrial::value).min().orElse(Double.POSITIVE_INFINITY);
        if (best <= regret) {
            return 0;
        }
        List<FrozenTrial> own = s.trials();
        for (int i = 0; i < own.size(); i++) {
            best = Math.min(best, own.get(i).value());
            if (best <= regret) {
                return i + 1;
            }
        }
        return own.size() + 1;
    }

    @Test
    void identicalWarmStartReachesTheRegretInFewerNewTrials() {
        Study parent = run(1, null, 40, new RandomSampler());
        double regret = parent.bestTrial().orElseThrow().value(); // f's minimum is 0
        WarmStart.Priors priors = WarmStart.identical(SPACE, parent.trials());
        assertEquals(40, priors.trials().size());
        int cold = trialsToReach(run(2, null, 40, new RandomSampler()), regret);
        int warm = trialsToReach(run(2, priors, 40, new RandomSampler()), regret);
        assertEquals(0, warm);
        assertTrue(cold > warm, "cold " + cold + ", warm " + warm);
    }

    @Test
    void samplersSeeThePriorsAsCompleteTrialsWithNegativeNumbersFirst() {
        Study parent = run(1, null, 5, new RandomSampler());
        List<List<FrozenTrial>> seen = new ArrayList<>();
        Sampler recording = (space, trials, direction, seed) -> {
            seen.add(trials);
            return new RandomSampler().sample(space, trials, direction, seed);
        };
        Study child = run(3, WarmStart.identical(SPACE, parent.trials()), 3, recording);
        List<FrozenTrial> first = seen.get(0);
        assertEquals(List.of(-5, -4, -3, -2, -1), first.stream().map(FrozenTrial::number).toList());
        assertTrue(first.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
        for (int i = 0; i < 5; i++) {
            assertEquals(parent.trials().get(i).params(), first.get(i).params());
            assertEquals(parent.trials().get(i).value(), first.get(i).value());
        }
        assertEquals(List.of(-5, -4, -3, -2, -1, 0, 1), seen.get(2).stream().map(FrozenTrial::number).toList());
        assertEquals(3, child.trials().size()); // priors are not the study's own trials
    }

    @Test
    void identicalRefusesObservationsOutsideTheRanges() {
        FrozenTrial t = Trials.complete(0, 1.0, Map.of("x", 3.0, "y", 0.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmStart.identical(SPACE, List.of(t)));
        assertTrue(e.getMessage().startsWith("WarmStart.identical: parent trial 0 has x = 3.0, not a value of"), e.getMessage());
    }

    @Test
    void transferMapsIntoTheNewSpace() {
        SearchSpace next = SearchSpace.builder()
                .add("x", FloatRange.linear(0, 1))      // narrowed
                .add("units", IntRange.linear(8, 64))   // was a float range
                .add("act", CategoricalRange.of("relu", "tanh"))
                .build();
        List<FrozenTrial> parent = List.of(
                Trials.complete(0, 1.0, Map.of("x", 0.5, "units", 31.6, "act", "relu", "old", 7)), // kept, units rounded
                Trials.complete(1, 2.0, Map.of("x", -0.5, "units", 16.0, "act", "tanh")),           // x outside
                Trials.complete(2, 3.0, Map.of("x", 0.5, "units", 100.0, "act", "relu")),           // units outside
                Trials.complete(3, 4.0, Map.of("x", 0.5, "units", 16.0, "act", "gelu")),            // not a choice
                Trials.complete(4, 5.0, Map.of("x", 0.5, "act", "relu")),                           // no units
                new FrozenTrial(5, TrialState.FAILED, Map.of("x", 0.5, "units", 16.0, "act", "relu"), null,
                        Trials.steps(), "boom"));
        WarmStart.Priors dropped = WarmStart.transfer(next, WarmStart.OutOfRange.DROP, parent);
        assertEquals(List.of(new FrozenTrial(-1, TrialState.COMPLETE, Map.of("x", 0.5, "units", 32, "act", "relu"), 1.0,
                Trials.steps(), null)), dropped.trials());
        WarmStart.Priors clamped = WarmStart.transfer(next, WarmStart.OutOfRange.CLAMP, parent);
        assertEquals(List.of(1.0, 2.0, 3.0), clamped.trials().stream().map(FrozenTrial::value).toList());
        assertEquals(Map.of("x", 0.0, "units", 16, "act", "tanh"), clamped.trials().get(1).params());
        assertEquals(Map.of("x", 0.5, "units", 64, "act", "relu"), clamped.trials().get(2).params());
        assertEquals(List.of(-3, -2, -1), clamped.trials().stream().map(FrozenTrial::number).toList());
        clamped.trials().forEach(t -> next.ranges().forEach((n, r) -> assertTrue(r.contains(t.params().get(n)))));
    }

    @Test
    void transferWarmStartHelpsANarrowedSearch() {
        Study parent = run(1, null, 40, new RandomSampler());
        SearchSpace narrowed = SearchSpace.builder().add("x", FloatRange.linear(0, 1)).add("y", FloatRange.linear(-0.5, 0.5)).build();
        WarmStart.Priors priors = WarmStart.transfer(narrowed, WarmStart.OutOfRange.DROP, parent.trials());
        assertTrue(priors.trials().size() > 0 && priors.trials().size() < 40, "kept " + priors.trials().size());
        double regret = priors.trials().stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
        Study cold = Study.builder().name("c").direction(Direction.MINIMIZE).space(narrowed).seed(2).build();
        cold.optimize(t -> f(t.params()), 30);
        Study warm = Study.builder().name("w").direction(Direction.MINIMIZE).space(narrowed).seed(2).priors(priors).build();
        warm.optimize(t -> f(t.params()), 30);
        assertEquals(0, trialsToReach(warm, regret));
        assertTrue(trialsToReach(cold, regret) > 0);
        assertTrue(warm.bestTrial().orElseThrow().value() <= cold.bestTrial().orElseThrow().value());
    }
}
