package org.trainer.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import org.trainer.hpo.Direction;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.Range;
import org.trainer.hpo.Sampler;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.TrialState;
import org.trainer.hpo.gp.GaussianProcessSampler;

/**
 * The simple regret of the Gaussian-process sampler on Branin (2-D, after 30 and 50 evaluations)
 * and Hartmann-6 (after 50), median over seeds 0..9, with a seeded uniform random search in the
 * same loop as the baseline. Simple regret after t evaluations = (best value among the first t)
 * - (the global minimum). Evaluations run one at a time; trial t's proposal gets the seed
 * {@code seed * 1_000_003 + t}.
 *
 * <p>Options: {@code --seeds 10}. Prints a Markdown table, and the mean time per proposal.
 * A harness for a person to read, not a test: nothing fails when a target is missed.
 */
public final class HpoRegretHarness {

    private HpoRegretHarness() {
    }

    /** Uniform random search: each parameter's unit position drawn uniformly (the baseline). */
    static final class UniformSampler implements Sampler {
        @Override
        public Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
                out.put(e.getKey(), e.getValue().fromUnit(rng.nextDouble()));
            }
            return out;
        }
    }

    /** The best-so-far values after each evaluation, for {@code budget} sequential evaluations. */
    static double[] run(Sampler sampler, SearchSpace space, ToDoubleFunction<Map<String, Object>> f, int budget,
                        long seed, long[] nanos) {
        List<FrozenTrial> trials = new ArrayList<>();
        double[] bestSoFar = new double[budget];
        double best = Double.POSITIVE_INFINITY;
        for (int t = 0; t < budget; t++) {
            long t0 = System.nanoTime();
            Map<String, Object> p = sampler.sample(space, trials, Direction.MINIMIZE, seed * 1_000_003L + t);
            nanos[0] += System.nanoTime() - t0;
            double v = f.applyAsDouble(p);
            trials.add(new FrozenTrial(t, TrialState.COMPLETE, p, v, new TreeMap<>(), null));
            best = Math.min(best, v);
            bestSoFar[t] = best;
        }
        return bestSoFar;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    public static void main(String[] args) {
        int seeds = 10;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seeds")) {
                seeds = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("HpoRegretHarness: unknown option " + args[i] + "; expected --seeds N");
            }
        }
        Map<String, Sampler> samplers = new LinkedHashMap<>();
        samplers.put("GaussianProcessSampler (log EI)", new GaussianProcessSampler());
        samplers.put("uniform random search", new UniformSampler());
        System.out.println("| sampler | Branin @30 | Branin @50 | Hartmann-6 @50 | ms per proposal (mean) |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, Sampler> e : samplers.entrySet()) {
            double[] b30 = new double[seeds];
            double[] b50 = new double[seeds];
            double[] h50 = new double[seeds];
            long[] nanos = new long[1];
            for (int s = 0; s < seeds; s++) {
                double[] b = run(e.getValue(), HpoTestFunctions.braninSpace(), HpoTestFunctions::branin, 50, s, nanos);
                b30[s] = b[29] - HpoTestFunctions.BRANIN_MIN;
                b50[s] = b[49] - HpoTestFunctions.BRANIN_MIN;
                double[] h = run(e.getValue(), HpoTestFunctions.hartmann6Space(), HpoTestFunctions::hartmann6, 50, s, nanos);
                h50[s] = h[49] - HpoTestFunctions.HARTMANN6_MIN;
                System.err.printf(Locale.ROOT, "%s seed %d: Branin@30 %.5f @50 %.5f Hartmann-6@50 %.5f%n",
                        e.getKey(), s, b30[s], b50[s], h50[s]);
            }
            System.out.printf(Locale.ROOT, "| %s | %.5f | %.5f | %.5f | %.1f |%n", e.getKey(), median(b30), median(b50),
                    median(h50), nanos[0] / 1e6 / (seeds * 100.0));
        }
    }
}
