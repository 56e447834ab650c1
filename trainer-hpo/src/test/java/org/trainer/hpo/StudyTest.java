package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyTest {

    private static Study.Builder study(String name) {
        return Study.builder().name(name).direction(Direction.MINIMIZE).seed(11);
    }

    /** A sampler that records the spaces it was asked about. */
    private static final class Recording implements Sampler {
        final List<SearchSpace> spaces = new ArrayList<>();
        final Sampler inner = new RandomSampler();

        @Override
        public Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed) {
            spaces.add(space);
            return inner.sample(space, trials, direction, seed);
        }
    }

    @Test
    void defineByRunLearnsTheSpaceFromCompleteTrials() {
        Recording sampler = new Recording();
        try (Study s = study("dbr").sampler(sampler).build()) {
            s.optimize(t -> {
                double x = t.suggestFloat("x", -3, 3);
                String kind = t.suggestCategorical("kind", List.of("a", "b"));
                if (kind.equals("b")) {
                    t.suggestInt("extra", 1, 5); // conditional: not in every trial
                }
                if (t.number() == 1) {
                    throw new IllegalStateException("fails");
                }
                return x * x;
            }, 12);
            // The first trial knows no space; later trials get the parameters every COMPLETE trial had.
            assertEquals(11, sampler.spaces.size());
            for (SearchSpace space : sampler.spaces) {
                assertTrue(space.ranges().keySet().containsAll(List.of("x", "kind")), space.toString());
            }
            List<FrozenTrial> trials = s.trials();
            // "extra" is suggested only when kind == "b": in the known space only if every COMPLETE trial had it
            List<FrozenTrial> before = trials.subList(0, 11).stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
            boolean allExtra = before.stream().allMatch(t -> t.params().containsKey("extra"));
            assertTrue(before.stream().anyMatch(t -> !t.params().containsKey("extra")), "the seed gives both kinds");
            assertEquals(allExtra ? Set.of("x", "kind", "extra") : Set.of("x", "kind"),
                    Set.copyOf(sampler.spaces.get(sampler.spaces.size() - 1).ranges().keySet()));
            assertEquals(FloatRange.linear(-3, 3), s.distributions(0).get("x"));
            assertEquals(TrialState.FAILED, trials.get(1).state());
            assertTrue(trials.stream().allMatch(t -> t.params().containsKey("x")));
        }
    }

    @Test
    void parametersUnknownAtTheStartAreDrawnIndependentlyAndSeeded() {
        List<Map<String, Object>> first = new ArrayList<>();
        List<Map<String, Object>> second = new ArrayList<>();
        for (List<Map<String, Object>> out : List.of(first, second)) {
            try (Study s = study("indep").build()) {
                s.optimize(t -> {
                    double a = t.suggestFloat("a", 0, 1);
                    double b = t.suggestFloat("b", 1e-3, 1, Scale.LOG);
                    return a + b;
                }, 6);
                s.trials().forEach(t -> out.add(t.params()));
            }
        }
        assertEquals(first, second);
        assertEquals(6, Set.copyOf(first).size());
    }

    @Test
    void declaredRangesAreFixedAtTheStart() {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-4, 1)).add("units", IntRange.log(16, 256)).build();
        try (Study s = study("declared").space(space).build()) {
            Trial t = s.ask();
            assertEquals(List.of("lr", "units"), List.copyOf(t.params().keySet()));
            assertEquals(t.params().get("lr"), t.suggestFloat("lr", 1e-4, 1, Scale.LOG));
            s.tell(t, 1.0);
            assertEquals(TrialState.COMPLETE, s.trials().get(0).state());
        }
    }

    @Test
    void suggestingANameTwiceGivesTheSameValueAndADifferentRangeIsAnError() {
        try (Study s = study("twice").build()) {
            Trial t = s.ask();
            double x = t.suggestFloat("x", 0, 1);
            assertEquals(x, t.suggestFloat("x", 0, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.suggestFloat("x", 0, 2));
            assertEquals("Trial 0: parameter 'x' was suggested with FloatRange[low=0.0, high=1.0, scale=LINEAR], "
                    + "now with FloatRange[low=0.0, high=2.0, scale=LINEAR]", e.getMessage());
            t.report(1, 0.5);
            assertEquals("Trial 0: step 1 was already reported (0.5)",
                    assertThrows(IllegalArgumentException.class, () -> t.report(1, 0.4)).getMessage());
        }
    }

    @Test
    void maxParallelTrialsReallyRunAtOnce() {
        int parallel = 3;
        CyclicBarrier barrier = new CyclicBarrier(parallel);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        try (Study s = study("parallel").build()) {
            s.optimize(t -> {
                int now = concurrent.incrementAndGet();
                peak.accumulateAndGet(now, Math::max);
                threads.add(Thread.currentThread().getName());
                // Every trial of a round waits for the others: this only returns if 3 run at once.
                barrier.await(10, TimeUnit.SECONDS);
                concurrent.decrementAndGet();
                return t.suggestFloat("x", 0, 1);
            }, 6, parallel);
            assertEquals(parallel, peak.get());
            assertEquals(parallel, threads.size());
            assertTrue(s.trials().stream().allMatch(t -> t.state() == TrialState.COMPLETE));
        }
    }

    @Test
    void sameSeedSameStudy() {
        List<List<FrozenTrial>> runs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            try (Study s = study("seeded").pruner(new MedianPruner(2, 0, 1)).build()) {
                s.optimize(t -> {
                    double x = t.suggestFloat("x", -2, 2);
                    for (int step = 1; step <= 5; step++) {
                        t.report(step, x * x + 1.0 / step);
                        if (t.shouldPrune()) {
                            throw new TrialPruned("step " + step);
                        }
                    }
                    return x * x;
                }, 15);
                runs.add(s.trials());
            }
        }
        assertEquals(runs.get(0), runs.get(1));
        assertTrue(runs.get(0).stream().anyMatch(t -> t.state() == TrialState.PRUNED));
    }

    @Test
    void aTrialToldToStopIsPrunedEvenWhenTheObjectiveReturns() {
        Pruner always = (trials, trial, direction) -> true;
        try (Study s = study("stop").pruner(always).build()) {
            s.optimize(t -> {
                t.report(1, 3.0);
                t.shouldPrune();
                return 3.0;
            }, 2);
            assertTrue(s.trials().stream().allMatch(t -> t.state() == TrialState.PRUNED));
            assertEquals(Map.of(1, 3.0), s.trials().get(0).intermediate());
        }
    }

    @Test
    void builderValidation() {
        assertEquals("Study: name is required",
                assertThrows(IllegalArgumentException.class, () -> Study.builder().direction(Direction.MAXIMIZE).build()).getMessage());
        assertEquals("Study: maxTrials must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
                () -> study("v").build().optimize(t -> 0, -1)).getMessage());
    }

    @Test
    void aFailedJournalAppendLeavesTheStudyAsItWas(@TempDir Path dir) {
        Path file = dir.resolve("s.jsonl");
        SearchSpace space = SearchSpace.builder().add("x", FloatRange.linear(0, 1)).build();
        // closing the study closes its journal: every later append fails, as on a full disk
        Study s = study("append").space(space).journal(file).build();
        Trial running = s.ask();
        s.close();
        assertThrows(UncheckedIOException.class, () -> s.tell(running, 1.0));
        assertEquals(TrialState.RUNNING, s.trials().get(0).state(), "the finish was not journaled");
        assertEquals(0, s.finishedCount());
        assertThrows(UncheckedIOException.class, () -> running.report(1, 0.5));
        assertEquals(Map.of(), s.trials().get(0).intermediate(), "the report was not journaled");
        assertThrows(UncheckedIOException.class, s::ask);
        assertEquals(1, s.trials().size(), "the start was not journaled");
        // the journal agrees: one trial, running
        try (Study again = study("append").space(space).journal(file).build()) {
            assertEquals(1, again.trials().size());
            assertEquals(TrialState.RUNNING, again.trials().get(0).state());
        }
    }

    private static final List<Object> CHOICES = List.of("adam", 7, 0.25, 3.0, 3, true);

    private static double defineByRun(Trial t) {
        Object c = t.suggestCategorical("c", CHOICES);
        double x = t.suggestFloat("x", 0, 1);
        return x + CHOICES.indexOf(c);
    }

    @Test
    void aResumedDefineByRunStudyKeepsEveryCategoricalChoiceType(@TempDir Path dir) {
        Path file = dir.resolve("dbr.jsonl");
        List<FrozenTrial> before;
        Object runningValue;
        try (Study s = study("dbr").journal(file).build()) {
            s.optimize(StudyTest::defineByRun, 4);
            before = s.trials();
            Trial t = s.ask(); // trial 4 is running when the process stops
            runningValue = t.suggestCategorical("c", CHOICES);
        }
        Recording sampler = new Recording();
        try (Study s = study("dbr").sampler(sampler).journal(file).build()) {
            assertEquals(before, s.trials().subList(0, 4), "params come back with their types");
            assertEquals(new CategoricalRange(CHOICES), s.distributions(0).get("c"));
            Trial rerun = s.ask();
            assertEquals(4, rerun.number());
            Object again = rerun.suggestCategorical("c", CHOICES);
            assertEquals(runningValue, again, "the re-run trial gets its proposal back");
            assertEquals(runningValue.getClass(), again.getClass());
            s.tell(rerun, rerun.suggestFloat("x", 0, 1));
            s.ask();
            // the intersection space of the resumed COMPLETE trials still holds the categorical parameter
            assertEquals(Set.of("c", "x"), sampler.spaces.get(sampler.spaces.size() - 1).ranges().keySet());
        }
    }
}
