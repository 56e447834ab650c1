package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Study;
import org.trainer.hpo.Trial;
import org.trainer.hpo.WarmStart;

/**
 * Warm start pays off for the Gaussian-process sampler: on Branin, a new GP study given an earlier
 * study's observations reaches a regret ten times smaller than the earlier study's best in fewer
 * new trials than a cold GP study, median over five seeds; both as {@link WarmStart#identical}
 * (same ranges) and as {@link WarmStart#transfer} into changed ranges. The threshold lies below
 * everything the earlier study found, so the priors alone never reach it: the new study has to
 * find a better point, and the priors only tell its surrogate where to look.
 */
class GaussianProcessWarmStartTest {
    private static final double BRANIN_MIN = 0.397887;
    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("x1", FloatRange.linear(-5, 10)).add("x2", FloatRange.linear(0, 15)).build();
    /** Narrowed to hold two of Branin's three minima, (pi, 2.275) and (9.425, 2.475); parent points outside are dropped. */
    private static final SearchSpace NARROWED = SearchSpace.builder()
            .add("x1", FloatRange.linear(0, 10)).add("x2", FloatRange.linear(0, 10)).build();
    private static final int PARENT_TRIALS = 12;
    private static final int MAX_TRIALS = 40;
    private static final long[] SEEDS = {1, 2, 3, 4, 5};

    static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1");
        double x2 = (Double) p.get("x2");
        double a = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
        return a * a + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    }

    private static Study study(String name, SearchSpace space, long seed, WarmStart.Priors priors) {
        Study.Builder b = Study.builder().name(name).direction(Direction.MINIMIZE).space(space).seed(seed)
                .sampler(new GaussianProcessSampler());
        if (priors != null) {
            b.priors(priors);
        }
        return b.build();
    }

    /** New trials until one has Branin regret at most {@code regret}; MAX_TRIALS + 1 if none does. */
    private static int trialsToReach(Study s, double regret) {
        for (int i = 1; i <= MAX_TRIALS; i++) {
            Trial t = s.ask();
            double v = branin(t.params());
            s.tell(t, v);
            if (v - BRANIN_MIN <= regret) {
                return i;
            }
        }
        return MAX_TRIALS + 1;
    }

    private static double median(int[] xs) {
        int[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    @Test
    void warmStartReachesTheRegretInFewerNewTrialsThanAColdStudy() {
        int n = SEEDS.length;
        int[] cold = new int[n];
        int[] identical = new int[n];
        int[] coldNarrowed = new int[n];
        int[] transfer = new int[n];
        double[] thresholds = new double[n];
        for (int i = 0; i < n; i++) {
            long seed = SEEDS[i];
            Study parent = study("parent", SPACE, seed, null);
            parent.optimize(t -> branin(t.params()), PARENT_TRIALS);
            List<FrozenTrial> earlier = parent.trials();
            double parentRegret = parent.bestTrial().orElseThrow().value() - BRANIN_MIN;
            double threshold = parentRegret / 10;
            thresholds[i] = threshold;

            WarmStart.Priors same = WarmStart.identical(SPACE, earlier);
            WarmStart.Priors mapped = WarmStart.transfer(NARROWED, WarmStart.OutOfRange.DROP, earlier);
            assertTrue(mapped.trials().size() > 0 && mapped.trials().size() < PARENT_TRIALS,
                    "seed " + seed + ": the narrowed ranges keep some of the earlier points, kept " + mapped.trials().size());
            for (WarmStart.Priors p : List.of(same, mapped)) {
                assertTrue(p.trials().stream().allMatch(t -> t.value() - BRANIN_MIN > threshold),
                        "no prior reaches the threshold by itself");
            }

            long newSeed = seed + 100; // the new studies share a seed, so cold and warm differ only in the priors
            cold[i] = trialsToReach(study("cold", SPACE, newSeed, null), threshold);
            identical[i] = trialsToReach(study("identical", SPACE, newSeed, same), threshold);
            coldNarrowed[i] = trialsToReach(study("cold-narrowed", NARROWED, newSeed, null), threshold);
            transfer[i] = trialsToReach(study("transfer", NARROWED, newSeed, mapped), threshold);
        }
        String detail = "thresholds " + Arrays.toString(thresholds) + "; new trials to reach them: cold "
                + Arrays.toString(cold) + ", identical " + Arrays.toString(identical) + ", cold in the narrowed ranges "
                + Arrays.toString(coldNarrowed) + ", transfer " + Arrays.toString(transfer);
        assertTrue(median(identical) < median(cold), "identical warm start should need fewer new trials: " + detail);
        assertTrue(median(transfer) < median(coldNarrowed), "transfer warm start should need fewer new trials: " + detail);
        assertTrue(median(identical) <= MAX_TRIALS && median(transfer) <= MAX_TRIALS, "warm studies get there: " + detail);
    }
}
