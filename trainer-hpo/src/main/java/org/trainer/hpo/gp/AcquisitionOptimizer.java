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
 *   <li>the best point is then offered every single change of one categorical choice.</li>
 * </ol>
 * Everything random comes from the caller's generator, so the result is a function of its seed.
 */
final class AcquisitionOptimizer {
    private final Acquisition acquisition;
    private final double beta;
    private final int candidates;
    private final int restarts;

    AcquisitionOptimizer(Acquisition acquisition, double beta, int candidates, int restarts) {
        this.acquisition = acquisition;
        this.beta = beta;
        this.candidates = candidates;
        this.restarts = restarts;
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
    private int[] starts(Integer[] order, int nLocal) {
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
     * The point (snapped to legal values) that maximizes the acquisition.
     *
     * @param gp       the model of the standardized loss (with any pending points included)
     * @param best     the best standardized loss observed
     * @param incumbents observed points, best first, to search around
     */
    double[] maximize(GaussianProcess gp, double best, List<double[]> incumbents, SpaceEncoding enc, SplittableRandom rng) {
        int n = gp.size();
        double[] scratch = new double[n];
        double[] post = new double[2];
        int nLocal = incumbents.isEmpty() ? 0 : candidates / 2;
        double[][] pts = new double[candidates][];
        double[] scores = new double[candidates];
        for (int c = 0; c < candidates; c++) {
            if (c < nLocal) {
                double[] center = incumbents.get(c % Math.min(incumbents.size(), 5));
                pts[c] = enc.perturb(center, (c / 5) % 2 == 0 ? 0.1 : 0.01, rng);
            } else {
                pts[c] = enc.random(rng);
            }
            gp.posterior(pts[c], scratch, post, null, null);
            scores[c] = value(post[0], post[1], best);
        }
        Integer[] order = new Integer[candidates];
        for (int i = 0; i < candidates; i++) {
            order[i] = i;
        }
        // Best first; NaN last; the index breaks ties, so the order is deterministic.
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        double[] bestPoint = pts[order[0]].clone();
        double bestScore = scores[order[0]];

        int[] numeric = enc.numericColumns();
        if (numeric.length > 0) {
            Lbfgs lbfgs = new Lbfgs(6, 40, 1e-7, 1e-10);
            double[] lo = new double[numeric.length];
            double[] hi = new double[numeric.length];
            Arrays.fill(hi, 1);
            int dim = enc.columns();
            double[] gradMean = new double[dim];
            double[] gradVar = new double[dim];
            double[] partials = new double[2];
            for (int start : starts(order, nLocal)) {
                double[] base = pts[start].clone();
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
                enc.snap(base);
                gp.posterior(base, scratch, post, null, null);
                double score = value(post[0], post[1], best);
                if (score > bestScore) {
                    bestScore = score;
                    bestPoint = base;
                }
            }
        }
        for (double[] nb : enc.categoricalNeighbours(bestPoint)) {
            gp.posterior(nb, scratch, post, null, null);
            double score = value(post[0], post[1], best);
            if (score > bestScore) {
                bestScore = score;
                bestPoint = nb;
            }
        }
        return bestPoint;
    }
}
