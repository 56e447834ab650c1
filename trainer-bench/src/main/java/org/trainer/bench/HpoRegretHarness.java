package org.trainer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.Range;
import org.trainer.hpo.Sampler;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.TrialState;
import org.trainer.hpo.gp.GaussianProcessSampler;
import org.trainer.hpo.gp.LengthScalePrior;
import org.trainer.hpo.gp.OutputWarping;

/**
 * The simple regret of the Gaussian-process sampler on {@link HpoTestFunctions#battery()}, against
 * a seeded uniform random search in the same loop and Optuna's multivariate TPE
 * ({@code peer/hpo_tpe.py}, Debian's /usr/bin/python3 with python3-optuna) run by this harness.
 * Simple regret after t evaluations = (best value among the first t) - (the global minimum).
 * Evaluations run one at a time; trial t's proposal gets the seed {@code seed * 1_000_003 + t}.
 *
 * <p>Per problem and sampler: the median and quartiles over the seeds of the regret after the
 * budget; for our samplers also the share of proposals after the initial design that put every
 * numeric parameter at an end of its range ("corners"). Per-seed regrets go to stderr.
 *
 * <p>Options: {@code --seeds 10 --budget 50 --only NAME --no-peer --no-random}, and
 * {@code --ablation} for the GP without its output warping, and with the dimension-scaled
 * length-scale prior, too; {@code --no-trust-region} for the GP without its trust region
 * ({@code GaussianProcessSampler.Builder.trustRegion(false)}, the default before 2026-12-07). A harness for a person to
 * read, not a test: nothing fails when a target is missed.
 */
public final class HpoRegretHarness {
    /** Proposals before this many evaluations are the initial design, left out of the corner share. */
    private static final int INITIAL_DESIGN = 10;

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

    /** One run's regret after each evaluation, corner proposals counted after the initial design. */
    record Run(double[] regret, int corners, int counted) {
    }

    static Run run(Sampler sampler, HpoTestFunctions.Problem problem, int budget, long seed, long[] nanos) {
        List<FrozenTrial> trials = new ArrayList<>();
        double[] regret = new double[budget];
        double best = Double.POSITIVE_INFINITY;
        int corners = 0;
        for (int t = 0; t < budget; t++) {
            long t0 = System.nanoTime();
            Map<String, Object> p = sampler.sample(problem.space(), trials, Direction.MINIMIZE, seed * 1_000_003L + t);
            nanos[0] += System.nanoTime() - t0;
            if (t >= INITIAL_DESIGN && atCorner(problem.space(), p)) {
                corners++;
            }
            double v = problem.objective().applyAsDouble(p);
            trials.add(new FrozenTrial(t, TrialState.COMPLETE, p, v, new TreeMap<>(), null));
            best = Math.min(best, v);
            regret[t] = best - problem.minimum();
        }
        return new Run(regret, corners, Math.max(0, budget - INITIAL_DESIGN));
    }

    /** Whether every numeric parameter of p sits at an end of its range. */
    static boolean atCorner(SearchSpace space, Map<String, Object> p) {
        boolean any = false;
        for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
            if (e.getValue() instanceof CategoricalRange) {
                continue;
            }
            double u = e.getValue().toUnit(p.get(e.getKey()));
            if (u > 1e-9 && u < 1 - 1e-9) {
                return false;
            }
            any = true;
        }
        return any;
    }

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, s.length - 1);
        return s[i] + (pos - i) * (s[j] - s[i]);
    }

    static double median(double[] v) {
        return quantile(v, 0.5);
    }

    /** "median [q1, q3]". */
    static String summary(double[] regrets) {
        return String.format(Locale.ROOT, "%s [%s, %s]", number(median(regrets)), number(quantile(regrets, 0.25)),
                number(quantile(regrets, 0.75)));
    }

    static String number(double v) {
        return v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)
                ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    public static void main(String[] args) throws Exception {
        int seeds = 10;
        int budget = 50;
        String only = null;
        boolean peer = true;
        boolean random = true;
        boolean ablation = false;
        boolean withoutTrustRegion = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--budget" -> budget = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--no-peer" -> peer = false;
                case "--no-random" -> random = false;
                case "--ablation" -> ablation = true;
                case "--no-trust-region" -> withoutTrustRegion = true;
                default -> throw new IllegalArgumentException("HpoRegretHarness: unknown option " + args[i]
                        + "; expected --seeds N, --budget N, --only NAME, --no-peer, --no-random, --ablation or --no-trust-region");
            }
        }
        Map<String, Sampler> samplers = new LinkedHashMap<>();
        samplers.put("GP (log EI)", new GaussianProcessSampler());
        if (ablation) {
            samplers.put("GP, no output warping",
                    GaussianProcessSampler.builder().outputWarping(OutputWarping.NONE).build());
            samplers.put("GP, dimension-scaled length scales",
                    GaussianProcessSampler.builder().lengthScalePrior(LengthScalePrior.DIMENSION_SCALED).build());
        }
        if (withoutTrustRegion) {
            samplers.put("GP, no trust region", GaussianProcessSampler.builder().trustRegion(false).build());
        }
        if (random) {
            samplers.put("random", new UniformSampler());
        }
        List<HpoTestFunctions.Problem> problems = new ArrayList<>();
        for (HpoTestFunctions.Problem p : HpoTestFunctions.battery()) {
            if (only == null || p.name().equals(only)) {
                problems.add(p);
            }
        }
        Map<String, Map<String, double[]>> results = new LinkedHashMap<>();
        Map<String, String> corners = new LinkedHashMap<>();
        for (Map.Entry<String, Sampler> e : samplers.entrySet()) {
            Map<String, double[]> byProblem = new LinkedHashMap<>();
            long[] nanos = new long[1];
            int corner = 0;
            int counted = 0;
            for (HpoTestFunctions.Problem problem : problems) {
                double[] last = new double[seeds];
                for (int s = 0; s < seeds; s++) {
                    Run r = run(e.getValue(), problem, budget, s, nanos);
                    last[s] = r.regret()[budget - 1];
                    corner += r.corners();
                    counted += r.counted();
                    System.err.printf(Locale.ROOT, "%s, %s, seed %d: regret %s, corners %d%n", e.getKey(),
                            problem.name(), s, number(last[s]), r.corners());
                }
                byProblem.put(problem.name(), last);
            }
            results.put(e.getKey(), byProblem);
            corners.put(e.getKey(), String.format(Locale.ROOT, "%.1f%% corners, %.1f ms per proposal",
                    100.0 * corner / Math.max(1, counted), nanos[0] / 1e6 / ((double) seeds * budget * problems.size())));
        }
        if (peer) {
            results.put("Optuna TPE (multivariate)", tpe(seeds, budget, only, corners));
        }
        System.out.printf(Locale.ROOT, "%nSimple regret after %d evaluations, median [quartiles] of %d seeds%n%n", budget, seeds);
        StringBuilder head = new StringBuilder("| problem |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String name : results.keySet()) {
            head.append(' ').append(name).append(" |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (HpoTestFunctions.Problem problem : problems) {
            StringBuilder row = new StringBuilder("| " + problem.name() + " |");
            for (Map<String, double[]> byProblem : results.values()) {
                row.append(' ').append(summary(byProblem.get(problem.name()))).append(" |");
            }
            System.out.println(row);
        }
        System.out.println();
        corners.forEach((name, text) -> System.out.println(name + ": " + text));
    }

    /** Runs peer/hpo_tpe.py and returns the regret after the budget per problem and seed. */
    private static Map<String, double[]> tpe(int seeds, int budget, String only, Map<String, String> notes)
            throws Exception {
        String script = Path.of("trainer-bench", "peer", "hpo_tpe.py").toString();
        if (!Files.isRegularFile(Path.of(script))) {
            throw new IllegalStateException("HpoRegretHarness: " + script + " not found; run from the repository root");
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script, "--seeds", Integer.toString(seeds),
                "--budget", Integer.toString(budget)));
        if (only != null) {
            command.addAll(List.of("--only", only));
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        double ms = 0;
        int runs = 0;
        String version = "?";
        for (PeerProcess.Line line : PeerProcess.run(command)) {
            if ("info".equals(line.get("kind"))) {
                version = line.get("optuna");
                continue;
            }
            String[] regret = line.get("regret").trim().split(" ");
            double last = Double.parseDouble(regret[regret.length - 1]);
            out.computeIfAbsent(line.get("problem"), k -> new double[seeds])[(int) line.number("seed")] = last;
            System.err.printf(Locale.ROOT, "Optuna TPE, %s, seed %s: regret %s%n", line.get("problem"), line.get("seed"),
                    number(last));
            ms += line.number("ms_per_trial");
            runs++;
        }
        notes.put("Optuna " + version + " TPE (multivariate)",
                String.format(Locale.ROOT, "%.1f ms per trial", ms / Math.max(1, runs)));
        return out;
    }
}
