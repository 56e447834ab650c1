package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;
import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.TrialState;

class GaussianProcessSamplerTest {
    private static final SearchSpace MIXED = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-4, 1e-1))
            .add("momentum", FloatRange.reverseLog(0.5, 0.999))
            .add("width", IntRange.log(16, 512))
            .add("layers", IntRange.linear(1, 4))
            .add("opt", CategoricalRange.of("sgd", "adam", "rmsprop"))
            .add("x", FloatRange.linear(-2, 3))
            .build();

    /** Best at lr = 1e-2, momentum = 0.9, width = 128, layers = 2, opt = adam, x = 0.5. */
    private static double mixedLoss(Map<String, Object> p) {
        double lr = Math.log10((Double) p.get("lr")) + 2;
        double m = Math.log10(1 - (Double) p.get("momentum")) + 1;
        double w = Math.log((Integer) p.get("width") / 128.0);
        double layers = (Integer) p.get("layers") - 2;
        double opt = switch ((String) p.get("opt")) {
            case "adam" -> 0;
            case "sgd" -> 1.5;
            default -> 0.7;
        };
        double x = (Double) p.get("x") - 0.5;
        return lr * lr + m * m + 0.3 * w * w + 0.2 * layers * layers + opt + x * x;
    }

    private static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1");
        double x2 = (Double) p.get("x2");
        double a = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
        return a * a + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    }

    private static final SearchSpace BRANIN = SearchSpace.builder()
            .add("x1", FloatRange.linear(-5, 10)).add("x2", FloatRange.linear(0, 15)).build();

    private static FrozenTrial complete(int number, Map<String, Object> params, double value) {
        return new FrozenTrial(number, TrialState.COMPLETE, params, value, new TreeMap<>(), null);
    }

    private static FrozenTrial withState(int number, TrialState state, Map<String, Object> params) {
        return new FrozenTrial(number, state, params, null, new TreeMap<>(), state == TrialState.FAILED ? "diverged" : null);
    }

    /** A sequential study of {@code budget} trials; returns its trials. */
    private static List<FrozenTrial> run(GaussianProcessSampler sampler, SearchSpace space,
                                         ToDoubleFunction<Map<String, Object>> f, Direction direction, int budget, long seed) {
        List<FrozenTrial> trials = new ArrayList<>();
        for (int t = 0; t < budget; t++) {
            Map<String, Object> p = sampler.sample(space, trials, direction, seed * 1_000_003L + t);
            trials.add(complete(t, p, f.applyAsDouble(p)));
        }
        return trials;
    }

    private static void assertLegal(SearchSpace space, Map<String, Object> p) {
        assertEquals(List.copyOf(space.ranges().keySet()), List.copyOf(p.keySet()), "names in declaration order");
        space.ranges().forEach((name, range) -> assertTrue(range.contains(p.get(name)), name + " = " + p.get(name)
                + " (" + p.get(name).getClass().getSimpleName() + ") is not legal for " + range));
    }

    /**
     * Five initial points in [0.3, 0.7], the best at 0.5, then {@code failures} worse ones near it,
     * their losses rough (a short length scale: much is unknown outside [0.3, 0.7]): the trust
     * region's side is 0.8 halved after every 4 failures (d = 1).
     */
    private static List<FrozenTrial> crowdedLine(int failures) {
        double[] xs = {0.3, 0.4, 0.5, 0.6, 0.7, 0.45, 0.55, 0.35, 0.65, 0.48, 0.52, 0.42, 0.58, 0.49, 0.51};
        double[] losses = {2, 1.5, 1, 2.5, 1.2, 3, 1.1, 2.8, 1.3, 2.2, 1.9, 1.05, 2.6, 1.7, 1.4};
        List<FrozenTrial> trials = new ArrayList<>();
        for (int i = 0; i < 5 + failures; i++) {
            trials.add(complete(i, Map.of("x", xs[i]), losses[i]));
        }
        return trials;
    }

    private static final SearchSpace LINE = SearchSpace.builder().add("x", FloatRange.linear(0, 1)).build();

    @Test
    void theTrustRegionKeepsProposalsInItsBox() {
        // Nine failures: the side is 0.2 (halved twice, not just now); one length scale, so the box is [0.4, 0.6].
        GaussianProcessSampler tr = new GaussianProcessSampler(); // the trust region is the default
        GaussianProcessSampler whole = GaussianProcessSampler.builder().trustRegion(false).build();
        int outsideWithout = 0;
        for (long seed = 0; seed < 5; seed++) {
            double x = (Double) tr.sample(LINE, crowdedLine(9), Direction.MINIMIZE, seed).get("x");
            assertTrue(x >= 0.4 - 1e-12 && x <= 0.6 + 1e-12, "seed " + seed + ": " + x + " is outside [0.4, 0.6]");
            double free = (Double) whole.sample(LINE, crowdedLine(9), Direction.MINIMIZE, seed).get("x");
            if (free < 0.4 || free > 0.6) {
                outsideWithout++;
            }
        }
        // Without the region, expected improvement explores the unobserved ends: the box is what binds.
        assertTrue(outsideWithout >= 3, "without the trust region, " + outsideWithout + " of 5 proposals left [0.4, 0.6]");
    }

    @Test
    void theTrustRegionSamplesTheWholeSpaceRightAfterItShrinks() {
        // Eight failures: the side has just halved to 0.2, so the proposal is a Thompson sample.
        GaussianProcessSampler tr = GaussianProcessSampler.builder().trustRegion(true).build();
        int outside = 0;
        for (long seed = 0; seed < 10; seed++) {
            double x = (Double) tr.sample(LINE, crowdedLine(8), Direction.MINIMIZE, seed).get("x");
            if (x < 0.3 || x > 0.7) {
                outside++;
            }
        }
        assertTrue(outside >= 3, "after the region shrank, " + outside + " of 10 proposals left the observed [0.3, 0.7]");
        assertTrue(tr.toString().contains("trustRegion=true"), tr.toString());
    }

    @Test
    void proposalsRespectBoundsTypesAndCategoricalsAndLearn() {
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), MIXED, GaussianProcessSamplerTest::mixedLoss,
                Direction.MINIMIZE, 30, 5);
        trials.forEach(t -> assertLegal(MIXED, t.params()));
        double bestRandom = trials.subList(0, 10).stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
        double best = trials.stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
        assertTrue(best < 0.75 * bestRandom, "the model-based trials should improve on the random ones: "
                + bestRandom + " -> " + best);
    }

    @Test
    void learnsWhichChoiceIsBest() {
        SearchSpace space = SearchSpace.builder()
                .add("opt", CategoricalRange.of("sgd", "adam", "rmsprop", "adagrad"))
                .add("x", FloatRange.linear(0, 1))
                .build();
        ToDoubleFunction<Map<String, Object>> f = p -> {
            double x = (Double) p.get("x") - 0.6;
            return x * x + switch ((String) p.get("opt")) {
                case "adam" -> 0;
                case "sgd" -> 0.5;
                case "rmsprop" -> 0.3;
                default -> 0.8;
            };
        };
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), space, f, Direction.MINIMIZE, 25, 3);
        trials.forEach(t -> assertLegal(space, t.params()));
        long adam = trials.subList(15, 25).stream().filter(t -> t.params().get("opt").equals("adam")).count();
        assertTrue(adam >= 6, "the best choice should dominate the late proposals, got adam in " + adam + " of 10");
        FrozenTrial best = trials.stream().min(java.util.Comparator.comparingDouble(FrozenTrial::value)).orElseThrow();
        assertEquals("adam", best.params().get("opt"));
        assertEquals(0.6, (Double) best.params().get("x"), 0.02);
    }

    /**
     * The best category is the last and worth less than the numeric terms' spread: most seeds must
     * end in it, which one search over each combination of choices gives (with the choice held and
     * only single swaps at the end, half the seeds ended in another).
     */
    @Test
    void findsTheBestCategoryWhenItIsNotTheFirst() {
        SearchSpace space = SearchSpace.builder()
                .add("x1", FloatRange.linear(-5, 10)).add("x2", FloatRange.linear(0, 15))
                .add("k", IntRange.linear(0, 8)).add("c", CategoricalRange.of("a", "b", "c")).build();
        ToDoubleFunction<Map<String, Object>> f = p -> {
            int k = (Integer) p.get("k");
            double offset = switch ((String) p.get("c")) {
                case "a" -> 4;
                case "b" -> 1.5;
                default -> 0;
            };
            return branin(p) + 0.25 * (k - 5) * (k - 5) + offset;
        };
        int inBest = 0;
        StringBuilder ends = new StringBuilder();
        for (long seed = 0; seed < 4; seed++) {
            List<FrozenTrial> trials = run(new GaussianProcessSampler(), space, f, Direction.MINIMIZE, 40, seed);
            trials.forEach(t -> assertLegal(space, t.params()));
            FrozenTrial best = trials.stream().min(java.util.Comparator.comparingDouble(FrozenTrial::value)).orElseThrow();
            inBest += best.params().get("c").equals("c") ? 1 : 0;
            ends.append(best.params()).append(" = ").append(best.value()).append("; ");
        }
        assertTrue(inBest >= 3, "at least 3 of 4 seeds should end in the best category c: " + ends);
    }

    /** low == high fixes a parameter, as in Optuna: always proposed, never searched. */
    @Test
    void fixedParametersAreProposedAndNotSearched() {
        SearchSpace space = SearchSpace.builder()
                .add("x1", FloatRange.linear(-5, 10))
                .add("lr", FloatRange.log(1e-3, 1e-3))
                .add("x2", FloatRange.linear(0, 15))
                .add("layers", IntRange.linear(3, 3))
                .add("opt", CategoricalRange.of("adam"))
                .build();
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), space, GaussianProcessSamplerTest::branin,
                Direction.MINIMIZE, 30, 2);
        for (FrozenTrial t : trials) {
            assertLegal(space, t.params());
            assertEquals(1e-3, (Double) t.params().get("lr"));
            assertEquals(3, t.params().get("layers"));
            assertEquals("adam", t.params().get("opt"));
        }
        // The fixed parameters take no column: the search is Branin's own, proposal for proposal.
        List<FrozenTrial> plain = run(new GaussianProcessSampler(), BRANIN, GaussianProcessSamplerTest::branin,
                Direction.MINIMIZE, 30, 2);
        for (int t = 0; t < 30; t++) {
            assertEquals(plain.get(t).params().get("x1"), trials.get(t).params().get("x1"), "trial " + t);
            assertEquals(plain.get(t).params().get("x2"), trials.get(t).params().get("x2"), "trial " + t);
        }
        SearchSpace allFixed = SearchSpace.builder().add("a", FloatRange.linear(2, 2)).add("b", IntRange.log(4, 4)).build();
        assertEquals(Map.of("a", 2.0, "b", 4),
                new GaussianProcessSampler().sample(allFixed, trials.subList(0, 0), Direction.MINIMIZE, 1));
        // An observation with another value of a fixed parameter is not this space's: it is dropped.
        List<FrozenTrial> warm = new ArrayList<>(trials.subList(0, 12));
        Map<String, Object> other = new java.util.LinkedHashMap<>(trials.get(0).params());
        other.put("lr", 1e-2);
        warm.add(complete(12, other, -100));
        assertEquals(new GaussianProcessSampler().sample(space, trials.subList(0, 12), Direction.MINIMIZE, 5),
                new GaussianProcessSampler().sample(space, warm, Direction.MINIMIZE, 5));
    }

    @Test
    void smallDiscreteSpacesWithRepeatedPointsStillWork() {
        // 3 x 2 = 6 distinct points: after a few trials every proposal repeats an observed one.
        SearchSpace space = SearchSpace.builder()
                .add("k", IntRange.linear(1, 3))
                .add("c", CategoricalRange.of("a", "b"))
                .build();
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), space,
                p -> (Integer) p.get("k") + (p.get("c").equals("b") ? 0.5 : 0), Direction.MINIMIZE, 20, 8);
        trials.forEach(t -> assertLegal(space, t.params()));
        long best = trials.subList(10, 20).stream().filter(t -> t.value() == 1.0).count();
        assertTrue(best >= 5, "the best of six points should be proposed often once known, got " + best + " of 10");
        SearchSpace onlyChoice = SearchSpace.builder().add("c", CategoricalRange.of("x", "y", "z")).build();
        run(new GaussianProcessSampler(), onlyChoice, p -> p.get("c").equals("y") ? 0 : 1, Direction.MINIMIZE, 12, 1)
                .forEach(t -> assertLegal(onlyChoice, t.params()));
    }

    @Test
    void maximizesWhenAsked() {
        SearchSpace space = SearchSpace.builder().add("x", FloatRange.linear(0, 1)).build();
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), space,
                p -> -Math.pow((Double) p.get("x") - 0.3, 2), Direction.MAXIMIZE, 15, 2);
        double best = trials.stream().mapToDouble(FrozenTrial::value).max().orElseThrow();
        assertTrue(best > -1e-4, "max of -(x - 0.3)^2 is 0, got " + best);
    }

    @Test
    void deterministicForASeed() {
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), MIXED, GaussianProcessSamplerTest::mixedLoss,
                Direction.MINIMIZE, 14, 9);
        GaussianProcessSampler sampler = new GaussianProcessSampler();
        Map<String, Object> a = sampler.sample(MIXED, trials, Direction.MINIMIZE, 77);
        Map<String, Object> b = new GaussianProcessSampler().sample(MIXED, trials, Direction.MINIMIZE, 77);
        assertEquals(a, b);
        List<FrozenTrial> again = run(new GaussianProcessSampler(), MIXED, GaussianProcessSamplerTest::mixedLoss,
                Direction.MINIMIZE, 14, 9);
        assertEquals(trials, again, "the same seed reproduces a whole study");
        assertNotEquals(a, sampler.sample(MIXED, trials, Direction.MINIMIZE, 78));
    }

    @Test
    void pendingPointsChangeTheProposal() {
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), BRANIN, GaussianProcessSamplerTest::branin,
                Direction.MINIMIZE, 12, 4);
        for (PendingStrategy strategy : PendingStrategy.values()) {
            GaussianProcessSampler sampler = GaussianProcessSampler.builder().pendingStrategy(strategy).build();
            Map<String, Object> first = sampler.sample(BRANIN, trials, Direction.MINIMIZE, 100);
            List<FrozenTrial> withPending = new ArrayList<>(trials);
            withPending.add(withState(12, TrialState.RUNNING, first));
            Map<String, Object> second = sampler.sample(BRANIN, withPending, Direction.MINIMIZE, 100);
            assertLegal(BRANIN, second);
            if (strategy == PendingStrategy.IGNORE) {
                assertEquals(first, second);
            } else {
                double dx = (Double) first.get("x1") - (Double) second.get("x1");
                double dy = (Double) first.get("x2") - (Double) second.get("x2");
                assertTrue(Math.hypot(dx, dy) > 1e-3, strategy + ": a second proposal with the first pending must differ: "
                        + first + " vs " + second);
            }
        }
    }

    @Test
    void failedTrialsAreSkippedOrImputed() {
        List<FrozenTrial> trials = run(new GaussianProcessSampler(), BRANIN, GaussianProcessSamplerTest::branin,
                Direction.MINIMIZE, 12, 6);
        GaussianProcessSampler skip = new GaussianProcessSampler();
        Map<String, Object> plain = skip.sample(BRANIN, trials, Direction.MINIMIZE, 5);
        List<FrozenTrial> withFailure = new ArrayList<>(trials);
        withFailure.add(withState(12, TrialState.FAILED, plain));
        withFailure.add(withState(13, TrialState.PRUNED, Map.of("x1", 1.0, "x2", 2.0)));
        assertEquals(plain, skip.sample(BRANIN, withFailure, Direction.MINIMIZE, 5), "FAILED and PRUNED are skipped");
        GaussianProcessSampler impute = GaussianProcessSampler.builder().failedTrials(FailedTrialPolicy.IMPUTE_WORST).build();
        Map<String, Object> avoided = impute.sample(BRANIN, withFailure, Direction.MINIMIZE, 5);
        assertNotEquals(plain, avoided, "a failure imputed as the worst value moves the proposal away");
    }

    @Test
    void warmStartUsesEarlierObservationsAndDropsUnusableOnes() {
        // Observations from an earlier study over a wider range, some with a parameter this space lacks values for.
        List<FrozenTrial> earlier = run(new GaussianProcessSampler(), SearchSpace.builder()
                        .add("x1", FloatRange.linear(-8, 10)).add("x2", FloatRange.linear(0, 20)).build(),
                GaussianProcessSamplerTest::branin, Direction.MINIMIZE, 25, 3);
        List<FrozenTrial> trials = new ArrayList<>(earlier);
        trials.add(complete(25, Map.of("x1", "wide", "x2", 1.0), 3.0));
        trials.add(complete(26, Map.of("x1", 1.0), 3.0));
        trials.add(complete(27, Map.of("x1", 1000.0, "x2", 1.0), 1e6));
        // The losses of the wider space span over three orders of magnitude, where the default would
        // also weigh a warped model, whose first proposal may well explore: this test is about which
        // observations the model uses, so it models them as they are.
        GaussianProcessSampler sampler = GaussianProcessSampler.builder().outputWarping(OutputWarping.NONE).build();
        Map<String, Object> p = sampler.sample(BRANIN, trials, Direction.MINIMIZE, 1);
        assertLegal(BRANIN, p);
        assertEquals(p, sampler.sample(BRANIN, earlier, Direction.MINIMIZE, 1), "unusable observations are dropped");
        assertTrue(branin(p) < 5, "the warm-started model proposes a good point at once, got " + p + " = " + branin(p));
    }

    /** A regression guard on quality: median simple regret over three seeds after 30 Branin evaluations. */
    @Test
    void braninRegretAfterThirtyEvaluations() {
        double[] regret = new double[3];
        for (int s = 0; s < 3; s++) {
            List<FrozenTrial> trials = run(new GaussianProcessSampler(), BRANIN, GaussianProcessSamplerTest::branin,
                    Direction.MINIMIZE, 30, s);
            regret[s] = trials.stream().mapToDouble(FrozenTrial::value).min().orElseThrow() - 0.397887;
        }
        Arrays.sort(regret);
        assertTrue(regret[1] < 0.02, "median Branin regret after 30 should be < 0.02, got " + Arrays.toString(regret));
        assertTrue(regret[2] < 0.2, "every seed should come close, got " + Arrays.toString(regret));
    }

    @Test
    void refusesBadArguments() {
        GaussianProcessSampler s = new GaussianProcessSampler();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.sample(SearchSpace.builder().build(), List.of(), Direction.MINIMIZE, 0));
        assertTrue(e.getMessage().contains("must not be empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GaussianProcessSampler.builder().ucb(-1));
        assertTrue(e.getMessage().contains("beta must be finite and >= 0, got -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GaussianProcessSampler.builder().initialPoints(0));
        assertTrue(e.getMessage().contains("initialPoints must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GaussianProcessSampler.builder().candidates(0));
        assertTrue(e.getMessage().contains("candidates must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void ucbAlsoFindsTheMinimum() {
        List<FrozenTrial> trials = run(GaussianProcessSampler.builder().ucb(2).build(), BRANIN,
                GaussianProcessSamplerTest::branin, Direction.MINIMIZE, 30, 1);
        double best = trials.stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
        assertTrue(best - 0.397887 < 0.1, "UCB regret after 30 Branin evaluations: " + (best - 0.397887));
    }
}
