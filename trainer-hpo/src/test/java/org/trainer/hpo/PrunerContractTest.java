package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every pruner (early-stopping rule) keeps: a pure function of its arguments, no
 * verdict without a reported value, never stops a trial that is the best at every step, and no
 * trouble with FAILED, RUNNING and warm-start trials or NaN values.
 */
class PrunerContractTest {

    /** Every early-stopping rule of the library; a new one is one line here. */
    static Stream<Pruner> pruners() {
        return Stream.of(Pruner.none(), new MedianPruner(0, 0, 1), new MedianPruner(),
                new SuccessiveHalvingPruner(1, 27, 3, 0), new HyperbandPruner(1, 27, 3, 0));
    }

    static List<FrozenTrial> history(Direction d) {
        List<FrozenTrial> trials = new ArrayList<>();
        trials.add(Trials.complete(-1, 0.5, Map.of(), 0.5));
        for (int i = 0; i < 60; i++) {
            double q = (i * 37 % 60) / 60.0;
            double[] curve = new double[27];
            for (int s = 0; s < 27; s++) {
                curve[s] = q * (1 - Math.exp(-(s + 1) / 5.0));
            }
            TrialState state = i % 10 == 9 ? TrialState.FAILED : i % 10 == 8 ? TrialState.RUNNING : TrialState.COMPLETE;
            if (i % 13 == 0) {
                curve[3] = Double.NaN;
            }
            trials.add(state == TrialState.COMPLETE ? Trials.complete(i, curve[26], Map.of(), curve)
                    : new FrozenTrial(i, state, Map.of(), null, state == TrialState.FAILED ? Trials.steps() : Trials.steps(curve[0]),
                    state == TrialState.FAILED ? "boom" : null));
        }
        return trials;
    }

    @ParameterizedTest
    @MethodSource("pruners")
    void pureAndSafeOnEveryStep(Pruner pruner) {
        for (Direction d : Direction.values()) {
            List<FrozenTrial> h = history(d);
            for (int steps = 0; steps <= 27; steps++) {
                double[] values = Trials.constant(0.3, steps);
                if (steps > 4) {
                    values[4] = Double.NaN;
                }
                FrozenTrial t = new FrozenTrial(60 + steps, TrialState.RUNNING, Map.of(), null, Trials.steps(values), null);
                List<FrozenTrial> all = new ArrayList<>(h);
                all.add(t);
                boolean first = pruner.prune(all, t, d);
                assertEquals(first, pruner.prune(List.copyOf(all), t, d), pruner + " at " + steps + " steps");
                if (steps == 0) {
                    assertFalse(first, pruner + " pruned a trial that reported nothing");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("pruners")
    void neverStopsTheBestTrial(Pruner pruner) {
        for (Direction d : Direction.values()) {
            List<FrozenTrial> h = history(d);
            double best = d == Direction.MAXIMIZE ? 10 : -10;
            for (int number = 60; number < 80; number++) {
                for (int steps = 1; steps <= 27; steps++) {
                    FrozenTrial t = new FrozenTrial(number, TrialState.RUNNING, Map.of(), null,
                            Trials.steps(Trials.constant(best, steps)), null);
                    List<FrozenTrial> all = new ArrayList<>(h);
                    all.add(t);
                    assertFalse(pruner.prune(all, t, d), pruner + " stopped the best trial " + number + " at step " + steps);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("pruners")
    void aStudyRecordsPrunedTrialsWithTheirValuesAndGoesOn(Pruner pruner) {
        try (Study study = Study.builder().name("contract").direction(Direction.MAXIMIZE).pruner(pruner).seed(5).build()) {
            study.optimize(t -> {
                double q = t.suggestFloat("q", 0, 1);
                if (t.number() == 4) {
                    throw new IllegalArgumentException("bad input");
                }
                double v = 0;
                for (int step = 1; step <= 27; step++) {
                    v = q * (1 - Math.exp(-step / 5.0));
                    t.report(step, v);
                    if (t.shouldPrune()) {
                        throw new TrialPruned("at step " + step);
                    }
                }
                return v;
            }, 40);
            List<FrozenTrial> trials = study.trials();
            assertEquals(40, trials.size());
            assertEquals(TrialState.FAILED, trials.get(4).state());
            assertEquals("java.lang.IllegalArgumentException: bad input", trials.get(4).error());
            for (FrozenTrial t : trials) {
                if (t.state() == TrialState.PRUNED) {
                    assertTrue(t.intermediate().size() < 27 && !t.intermediate().isEmpty(), t.toString());
                    assertEquals(null, t.value());
                }
                if (t.state() == TrialState.COMPLETE) {
                    assertEquals(27, t.intermediate().size());
                }
            }
            long pruned = trials.stream().filter(t -> t.state() == TrialState.PRUNED).count();
            if (pruner.toString().equals("Pruner.none()")) {
                assertEquals(0, pruned);
            } else {
                assertTrue(pruned >= 5, pruner + " pruned only " + pruned + " of 40");
            }
        }
    }
}
