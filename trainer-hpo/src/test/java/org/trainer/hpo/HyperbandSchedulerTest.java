package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

class HyperbandSchedulerTest {

    @Test
    void bracketsOfLiEtAl() {
        HyperbandScheduler h = new HyperbandScheduler(1, 27, 3);
        assertEquals(List.of(new HyperbandScheduler.Bracket(3, 27, 1), new HyperbandScheduler.Bracket(2, 12, 3),
                new HyperbandScheduler.Bracket(1, 6, 9), new HyperbandScheduler.Bracket(0, 4, 27)), h.brackets());
    }

    /** Learning curves whose final value is q and whose ranking is the same at every epoch. */
    private static double curve(double q, int epoch) {
        return q * (1 - Math.exp(-epoch / 4.0));
    }

    @Test
    void oneIterationRunsEveryRungWithinTheBudgetAndKeepsTheBest() {
        SearchSpace space = SearchSpace.builder().add("q", FloatRange.linear(0, 1)).build();
        Map<Integer, Integer> reached = new ConcurrentHashMap<>();
        try (Study study = Study.builder().name("hb").direction(Direction.MAXIMIZE).space(space).seed(1).build()) {
            long spent = new HyperbandScheduler(1, 27, 3).run(study, (trial, resource) -> {
                int from = reached.getOrDefault(trial.number(), 0);
                double q = (Double) trial.params().get("q");
                for (int e = from + 1; e <= resource; e++) {
                    trial.report(e, curve(q, e));
                }
                reached.put(trial.number(), resource);
                return curve(q, resource);
            }, 270, 2);
            // brackets s = 3, 2, 1 cost 81 + 78 + 90 = 249 epochs; s = 0 (108) does not fit
            assertEquals(249, spent);
            assertEquals(249, reached.values().stream().mapToInt(Integer::intValue).sum());
            List<FrozenTrial> trials = study.trials();
            assertEquals(27 + 12 + 6, trials.size());
            assertEquals(4, trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count());
            assertEquals(41, trials.stream().filter(t -> t.state() == TrialState.PRUNED).count());
            // the curves never cross, so each bracket's survivor is its best configuration
            double bestOfFirstBracket = trials.subList(0, 27).stream().mapToDouble(t -> (Double) t.params().get("q")).max()
                    .orElseThrow();
            assertTrue(trials.subList(0, 27).stream().anyMatch(t -> t.state() == TrialState.COMPLETE
                    && (Double) t.params().get("q") == bestOfFirstBracket));
            assertEquals(27, trials.stream().filter(t -> t.state() == TrialState.COMPLETE)
                    .mapToInt(t -> t.intermediate().lastKey()).min().orElseThrow());
        }
    }

    @Test
    void aFailingTrialIsRecordedAndTheBracketGoesOn() {
        SearchSpace space = SearchSpace.builder().add("q", FloatRange.linear(0, 1)).build();
        try (Study study = Study.builder().name("hb").direction(Direction.MAXIMIZE).space(space).seed(1).build()) {
            new HyperbandScheduler(1, 9, 3).run(study, (trial, resource) -> {
                if (trial.number() == 2) {
                    throw new IllegalStateException("out of memory");
                }
                return curve((Double) trial.params().get("q"), resource);
            }, 30, 1);
            FrozenTrial failed = study.trials().get(2);
            assertEquals(TrialState.FAILED, failed.state());
            assertEquals("java.lang.IllegalStateException: out of memory", failed.error());
            assertTrue(study.trials().stream().anyMatch(t -> t.state() == TrialState.COMPLETE));
        }
    }

    @Test
    void whenEveryTrialFailsAllAreRecordedFailedAndTheSearchCompletes() {
        SearchSpace space = SearchSpace.builder().add("q", FloatRange.linear(0, 1)).build();
        try (Study study = Study.builder().name("hb").direction(Direction.MAXIMIZE).space(space).seed(1).build()) {
            long spent = new HyperbandScheduler(1, 9, 3).run(study, (trial, resource) -> {
                throw new IllegalStateException("boom");
            }, 30, 1);
            List<FrozenTrial> trials = study.trials();
            assertTrue(spent > 0 && spent <= 30, "spent " + spent);
            assertTrue(!trials.isEmpty());
            assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.FAILED), trials.toString());
            assertEquals(trials.size(), study.finishedCount());
        }
    }
}
