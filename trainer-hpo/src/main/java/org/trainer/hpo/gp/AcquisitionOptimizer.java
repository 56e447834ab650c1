package org.trainer.hpo.gp;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Maximizes an {@link Acquisition} over the search space by multi-start local search:
 * <ol>
 *   <li>score {@code candidates} points cheaply (posterior mean and variance only): half uniform
 *       over the space, half perturbations (Gaussian, scale 0.1 and 0.01 in unit coordinates) of
 *       the best observed points, where the optimum usually is once the model is informed;</li>
 *   <li>from {@code restarts} of them (the best uniform and the best perturbed ones,
 *       alternately), a projected L-BFGS ascent over the numeric columns in [0, 1] with the
 *       analytic gradient of the acquisition (integers relaxed to the continuum, categoricals
 *       held), then snapped onto legal values and scored again;</li>
 *   <li>categorical choices: each combination searched on its own when there are few, else a
 *       local search over single changes of one choice (see {@link #maximize}).</li>
 * </ol>
 * Within a trust region ({@link TrustRegion}) the candidates and the local searches keep to its box.
 * Everything random comes from the caller's generator, so the result is a function of its seed.
 */
final class AcquisitionOptimizer {
    /** Up to this many combinations of categorical choices, each is searched on its own. */
    static final int ENUMERATED_COMBINATIONS = 16;
    /** The fewest candidates one combination's search scores. */
    static final int MIN_CANDIDATES = 128;
    /** The most rounds of the categorical local search (with more combinations than enumerated). */
    static final int CATEGORICAL_ROUNDS = 3;
    private final Acquisition acquisition;
    private final double beta;
    private final int candidates;
    private final int restarts;
    /** The box searched, per column (null: the whole unit cube). */
    private final double[] lo;
    private final double[] hi;

    AcquisitionOptimizer(Acquisition acquisition, double beta, int candidates, int restarts) {
        this(acquisition, beta, candidates, restarts, null, null);
    }

    /**
     * An optimizer that searches only the box [lo, hi] of the numeric columns (a trust region;
     * both null: the whole cube): the candidates are drawn in it and the local searches bounded by it.
     */
    AcquisitionOptimizer(Acquisition acquisition, double beta, int candidates, int restarts, double[] lo, double[] hi) {
        this.acquisition = acquisition;
        this.beta = beta;
        this.candidates = candidates;
        this.restarts = restarts;
        this.lo = lo;
        this.hi = hi;
    }

    /** Moves the numeric columns of a point into the box, in place (uniform ones scaled, others clamped). */
    private void intoBox(double[] u, int[] numeric, boolean scale) {
        if (lo == null) {
            return;
        }
        for (int c : numeric) {
            u[c] = scale ? lo[c] + u[c] * (hi[c] - lo[c]) : Math.min(hi[c], Math.max(lo[c], u[c]));
        }
    }

    /** The acquisition value for posterior mean {@code mean} and variance {@code var}, given the best loss {@code best}. */
    double value(double mean, double var, double best) {
        double sigma = Math.sqrt(Math.max(var, 1e-20));
        return switch (acquisition) {
            case LOG_EI -> LogEi.logH((best - mean) / sigma) + Math.log(sigma);
            case UCB -> -mean + Math.sqrt(beta) * sigma;
        };
    }

    /** The acquisition value, with d/d mean and d/d var written into {@code partials}. */
    double valueAndPartials(double mean, double var, double best, double[] partials) {
        double v = Math.max(var, 1e-20);
        double sigma = Math.sqrt(v);
        switch (acquisition) {
            case LOG_EI -> {
                double z = (best - mean) / sigma;
                double dz = LogEi.dLogH(z);
                partials[0] = -dz / sigma;
                double dSigma = (1 - dz * z) / sigma;
                partials[1] = var > 1e-20 ? dSigma / (2 * sigma) : 0;
                return LogEi.logH(z) + Math.log(sigma);
            }
            case UCB -> {
                partials[0] = -1;
                partials[1] = var > 1e-20 ? Math.sqrt(beta) / (2 * sigma) : 0;
                return -mean + Math.sqrt(beta) * sigma;
            }
            default -> throw new AssertionError(acquisition);
        }
    }

    /**
     * The local searches' starting candidates: the best of the uniform candidates and the best of
     * the perturbed ones, alternately (best first within each pool), so that a search always
     * explores away from the incumbents as well as refining near them.
     */
    private static int[] starts(Integer[] order, int nLocal, int restarts) {
        int total = Math.min(restarts, order.length);
        int[] out = new int[total];
        int k = 0;
        int iLocal = 0;
        int iUniform = 0;
        boolean uniformTurn = true;
        while (k < total) {
            while (iUniform < order.length && order[iUniform] < nLocal) {
                iUniform++;
            }
            while (iLocal < order.length && order[iLocal] >= nLocal) {
                iLocal++;
            }
            boolean takeUniform = iUniform < order.length && (uniformTurn || iLocal >= order.length);
            if (takeUniform) {
                out[k++] = order[iUniform++];
            } else if (iLocal < order.length) {
                out[k++] = order[iLocal++];
            } else {
                break;
            }
            uniformTurn = !uniformTurn;
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /**
     * The point (snapped to legal values) that maximizes the acquisition. With few combinations
     * of categorical choices (at most {@link #ENUMERATED_COMBINATIONS}), each combination gets a
     * search of its own over the numeric columns, with its share of the candidates and of the
     * local searches (at least {@link #MIN_CANDIDATES} and 2): the acquisition's best point in every
     * combination competes, so a combination that is better everywhere is found even when the
     * incumbents lie in another. With more, one search over everything, then a local search over
     * the categoricals: every change of one choice, its numeric columns optimized again, as long
     * as that improves the acquisition (at most {@link #CATEGORICAL_ROUNDS} rounds).
     *
     * @param gp       the model of the standardized loss (with any pending points included)
     * @param best     the best standardized loss observed
     * @param incumbents observed points, best first, to search around
     */
    double[] maximize(GaussianProcess gp, double best, List<double[]> incumbents, SpaceEncoding enc, SplittableRandom rng) {
        int combinations = enc.categoricalCombinations();
        if (combinations > 1 && combinations <= ENUMERATED_COMBINATIONS) {
            int perCandidates = Math.max(MIN_CANDIDATES, candidates / combinations);
            int perRestarts = Math.max(2, (restarts + combinations - 1) / combinations);
            Scored winner = null;
            for (int c = 0; c < combinations; c++) {
                Scored s = search(gp, best, incumbents, enc, rng, c, perCandidates, perRestarts);
                if (winner == null || s.score > winner.score) {
                    winner = s;
                }
            }
            return winner.point;
        }
        Scored winner = search(gp, best, incumbents, enc, rng, -1, candidates, restarts);
        for (int round = 0; round < CATEGORICAL_ROUNDS; round++) {
            Scored improved = winner;
            for (double[] nb : enc.categoricalNeighbours(winner.point)) {
                Scored s = ascend(gp, best, enc, nb);
                if (s.score > improved.score) {
                    improved = s;
                }
            }
            if (improved == winner) {
                break;
            }
            winner = improved;
        }
        return winner.point;
    }

    /** A point and its acquisition value. */
    private record Scored(double[] point, double score) {
    }

    /**
     * Multi-start search: scores {@code count} candidates (half perturbations of the incumbents,
     * half uniform), then ascends from {@code localSearches} of the best. With
     * {@code combination >= 0}, every candidate has that combination of categorical choices.
     */
    private Scored search(GaussianProcess gp, double best, List<double[]> incumbents, SpaceEncoding enc,
                          SplittableRandom rng, int combination, int count, int localSearches) {
        double[] scratch = new double[gp.size()];
        double[] post = new double[2];
        int nLocal = incumbents.isEmpty() ? 0 : count / 2;
        double[][] pts = new double[count][];
        double[] scores = new double[count];
        int[] numericCols = enc.numericColumns();
        for (int c = 0; c < count; c++) {
            if (c < nLocal) {
                double[] center = incumbents.get(c % Math.min(incumbents.size(), 5));
                pts[c] = enc.perturb(center, (c / 5) % 2 == 0 ? 0.1 : 0.01, rng);
                intoBox(pts[c], numericCols, false);
            } else {
                pts[c] = enc.random(rng);
                intoBox(pts[c], numericCols, true);
            }
            if (combination >= 0) {
                enc.setCombination(pts[c], combination);
            }
            gp.posterior(pts[c], scratch, post, null, null);
            scores[c] = value(post[0], post[1], best);
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        // Best first; NaN last; the index breaks ties, so the order is deterministic.
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        Scored winner = new Scored(pts[order[0]].clone(), scores[order[0]]);
        if (enc.numericColumns().length == 0) {
            return winner;
        }
        for (int start : starts(order, nLocal, localSearches)) {
            Scored s = ascend(gp, best, enc, pts[start]);
            if (s.score > winner.score) {
                winner = s;
            }
        }
        return winner;
    }

    /**
     * A projected L-BFGS ascent of the acquisition from {@code from} over the numeric columns in
     * [0, 1] with its analytic gradient (integers relaxed to the continuum, categoricals held),
     * then snapped onto legal values and scored again.
     */
    private Scored ascend(GaussianProcess gp, double best, SpaceEncoding enc, double[] from) {
        int[] numeric = enc.numericColumns();
        double[] scratch = new double[gp.size()];
        double[] post = new double[2];
        double[] base = from.clone();
        if (numeric.length > 0) {
            Lbfgs lbfgs = new Lbfgs(6, 40, 1e-7, 1e-10);
            double[] lo = new double[numeric.length];
            double[] hi = new double[numeric.length];
            Arrays.fill(hi, 1);
            if (this.lo != null) {
                for (int i = 0; i < numeric.length; i++) {
                    lo[i] = this.lo[numeric[i]];
                    hi[i] = this.hi[numeric[i]];
                }
            }
            int dim = enc.columns();
            double[] gradMean = new double[dim];
            double[] gradVar = new double[dim];
            double[] partials = new double[2];
            double[] z = new double[numeric.length];
            for (int i = 0; i < numeric.length; i++) {
                z[i] = base[numeric[i]];
            }
            double[] work = base.clone();
            Lbfgs.Objective negAcq = (zz, g) -> {
                for (int i = 0; i < numeric.length; i++) {
                    work[numeric[i]] = zz[i];
                }
                gp.posterior(work, scratch, post, gradMean, gradVar);
                double a = valueAndPartials(post[0], post[1], best, partials);
                if (!Double.isFinite(a)) {
                    return Double.POSITIVE_INFINITY;
                }
                for (int i = 0; i < numeric.length; i++) {
                    int col = numeric[i];
                    g[i] = -(partials[0] * gradMean[col] + partials[1] * gradVar[col]);
                }
                return -a;
            };
            lbfgs.minimize(negAcq, z, lo, hi);
            for (int i = 0; i < numeric.length; i++) {
                base[numeric[i]] = z[i];
            }
        }
        enc.snap(base);
        gp.posterior(base, scratch, post, null, null);
        return new Scored(base, value(post[0], post[1], best));
    }
}
