package org.trainer.hpo;

import org.trainer.hpo.gp.GaussianProcessSampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every sampler keeps (Sampler's Javadoc): seeded determinism, a legal value of the
 * right type for every parameter in declaration order, and no trouble with RUNNING, PRUNED,
 * FAILED and warm-start (negative) trials in the history, in either direction.
 */
class SamplerContractTest {

    /** Every sampler of the library; a new one is one line here. */
    static Stream<Sampler> samplers() {
        return Stream.of(new RandomSampler(), new GridSampler(4), new GaussianProcessSampler(),
                GaussianProcessSampler.builder().trustRegion(false).build());
    }

    static final SearchSpace SPACE = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-4, 1))
            .add("dropout", FloatRange.linear(0, 0.5))
            .add("beta", FloatRange.reverseLog(0.9, 0.9999))
            .add("layers", IntRange.linear(1, 4))
            .add("units", IntRange.log(16, 256))
            .add("optimizer", CategoricalRange.of("sgd", "adam", "rmsprop"))
            .build();

    /** A history with every state, warm-start priors and a NaN intermediate value. */
    static List<FrozenTrial> history(Sampler sampler, Direction direction) {
        List<FrozenTrial> trials = new ArrayList<>();
        trials.add(Trials.complete(-2, 0.5, sampler.sample(SPACE, List.of(), direction, 100)));
        trials.add(Trials.complete(-1, 0.7, sampler.sample(SPACE, List.of(), direction, 101)));
        for (int i = 0; i < 12; i++) {
            Map<String, Object> p = sampler.sample(SPACE, trials, direction, i);
            TrialState state = TrialState.values()[i % 4];
            double value = Math.log((Double) p.get("lr")) + (Integer) p.get("layers");
            trials.add(switch (state) {
                case COMPLETE -> Trials.complete(i, value, p, value, value);
                case RUNNING -> new FrozenTrial(i, state, p, null, Trials.steps(value), null);
                case PRUNED -> new FrozenTrial(i, state, p, null, Trials.steps(Double.NaN, value), null);
                case FAILED -> new FrozenTrial(i, state, p, null, Trials.steps(), "java.lang.IllegalStateException: diverged");
            });
        }
        return trials;
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void seededDeterminism(Sampler sampler) {
        for (Direction d : Direction.values()) {
            List<FrozenTrial> h1 = history(sampler, d);
            List<FrozenTrial> h2 = history(sampler, d);
            assertEquals(h1, h2);
            assertEquals(sampler.sample(SPACE, h1, d, 7), sampler.sample(SPACE, h2, d, 7));
        }
    }

    /** low == high (and a single choice) fixes a parameter, as in Optuna: every sampler proposes that value. */
    @ParameterizedTest
    @MethodSource("samplers")
    void fixedParametersKeepTheirValue(Sampler sampler) {
        SearchSpace space = SearchSpace.builder()
                .add("lr", FloatRange.log(0.01, 0.01))
                .add("momentum", FloatRange.reverseLog(0.9, 0.9))
                .add("units", IntRange.log(64, 64))
                .add("x", FloatRange.linear(0, 1))
                .add("optimizer", CategoricalRange.of("adam"))
                .build();
        List<FrozenTrial> trials = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            Map<String, Object> p = sampler.sample(space, trials, Direction.MINIMIZE, i);
            assertEquals(Map.of("lr", 0.01, "momentum", 0.9, "units", 64, "optimizer", "adam", "x", p.get("x")), p,
                    sampler.toString());
            trials.add(Trials.complete(i, (Double) p.get("x"), p));
        }
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void legalValuesOfTheRightTypeInDeclarationOrder(Sampler sampler) {
        for (Direction d : Direction.values()) {
            List<FrozenTrial> h = history(sampler, d);
            for (long seed = 0; seed < 30; seed++) {
                Map<String, Object> p = sampler.sample(SPACE, h.subList(0, (int) (seed % h.size())), d, seed);
                assertEquals(List.copyOf(SPACE.ranges().keySet()), List.copyOf(p.keySet()));
                SPACE.ranges().forEach((name, range) -> assertTrue(range.contains(p.get(name)),
                        sampler + ": " + name + " = " + p.get(name) + " not in " + range));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void aStudyWithFailingTrialsGoesOnAndStaysInBounds(Sampler sampler) {
        try (Study study = Study.builder().name("contract").direction(Direction.MINIMIZE).sampler(sampler).space(SPACE)
                .seed(3).build()) {
            study.optimize(t -> {
                if (t.number() % 3 == 1) {
                    throw new IllegalStateException("diverged");
                }
                return t.number() % 3 == 2 ? Double.NaN : Math.log((Double) t.params().get("lr"));
            }, 15, 2);
            List<FrozenTrial> trials = study.trials();
            assertEquals(15, trials.size());
            assertEquals(5, trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count());
            assertEquals(10, trials.stream().filter(t -> t.state() == TrialState.FAILED).count());
            trials.forEach(t -> SPACE.ranges().forEach((name, range) -> assertTrue(range.contains(t.params().get(name)))));
        }
    }
}
