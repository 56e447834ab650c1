package org.trainer.hpo.gp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.Sampler;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.TrialState;

/**
 * Bayesian optimization with a Gaussian-process surrogate.
 *
 * <p>Each proposal:
 * <ol>
 *   <li>encodes the COMPLETE trials' parameters into the unit cube, each parameter in its own
 *       scaling, categoricals one-hot ({@link SpaceEncoding}), and their objective values as
 *       losses ({@link Direction#toLoss}), warped by a power transform fitted to them when they
 *       span orders of magnitude ({@link OutputWarping}) and standardized to mean 0 and variance
 *       1;</li>
 *   <li>while fewer than {@code initialPoints} trials are COMPLETE, returns a uniform random point
 *       instead (the initial design);</li>
 *   <li>fits a GP with a Matern 5/2 kernel, one length scale per column, signal and noise
 *       variances (noise at least 1e-6), by maximizing the log marginal likelihood plus weak
 *       priors (by default Gamma(3, 6) on each numeric length scale, log-normal with median 1.5 on
 *       each one-hot column's, log-normal on the variances; {@link MarginalLikelihood},
 *       {@link LengthScalePrior}) with L-BFGS from {@code fitRestarts} deterministic starts (from 64
 *       observations on, only from the most promising of them, which keeps a proposal at 100
 *       observations within tens of milliseconds); with output warping, a model of the warped
 *       losses competes with one of the standardized losses, and the higher evidence wins; the
 *       prior mean is the constant that maximizes the likelihood (generalized least squares);</li>
 *   <li>adds the RUNNING trials' points as pending observations ({@link PendingStrategy}, the
 *       kriging believer by default) so that parallel trials spread out;</li>
 *   <li>maximizes the acquisition ({@link Acquisition}, log expected improvement by default) by
 *       multi-start local search ({@link AcquisitionOptimizer}; each of up to 16 combinations of
 *       categorical choices searched on its own), rounds integers and picks categoricals, and
 *       decodes the point into values of the ranges; a fixed parameter (low == high) takes no
 *       column and is not searched; with {@link Builder#trustRegion the trust region} (on by
 *       default), within a box around the incumbent replayed from the losses, or by a Thompson
 *       sample from the whole space when that box has just shrunk.</li>
 * </ol>
 *
 * <p>FAILED trials are skipped, or imputed with the worst observed loss
 * ({@link FailedTrialPolicy}); PRUNED trials have no final value and are skipped. Warm start:
 * COMPLETE trials of earlier studies passed in {@code trials} are used like this study's own;
 * values outside the current ranges are kept at their true positions when within half the range
 * of it and dropped beyond, as are points with a missing parameter or an unknown categorical
 * choice ({@link SpaceEncoding}).
 *
 * <p>Deterministic: the proposal is a function of (space, trials, direction, seed) only; the sampler
 * keeps no state between calls and is safe to share between threads.
 */
public final class GaussianProcessSampler implements Sampler {
    private static final Logger LOG = LoggerFactory.getLogger(GaussianProcessSampler.class);
    private static final double[] FIT_START_LENGTHS = {0.5, 2, 0.15, 5, 0.05};
    /** From this many observations on, the hyperparameter fit optimizes only from its most promising start. */
    private static final int SCREEN_FIT_STARTS_FROM = 64;
    /** Candidates of a Thompson-sampling proposal (with the trust region). */
    private static final int THOMPSON_CANDIDATES = 512;
    private final Acquisition acquisition;
    private final double beta;
    private final int initialPoints;
    private final int fitRestarts;
    private final int acquisitionRestarts;
    private final int candidates;
    private final PendingStrategy pending;
    private final FailedTrialPolicy failed;
    private final OutputWarping outputWarping;
    private final LengthScalePrior lengthScalePrior;
    private final boolean trustRegion;

    /** Log EI, min(10, max(5, 2 d)) initial random points, kriging believer, failed trials skipped. */
    public GaussianProcessSampler() {
        this(builder());
    }

    private GaussianProcessSampler(Builder b) {
        this.acquisition = b.acquisition;
        this.beta = b.beta;
        this.initialPoints = b.initialPoints;
        this.fitRestarts = b.fitRestarts;
        this.acquisitionRestarts = b.acquisitionRestarts;
        this.candidates = b.candidates;
        this.pending = b.pending;
        this.failed = b.failed;
        this.outputWarping = b.outputWarping;
        this.lengthScalePrior = b.lengthScalePrior;
        this.trustRegion = b.trustRegion;
    }

    /**
     * A builder with the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed) {
        Objects.requireNonNull(space, "GaussianProcessSampler.sample: space");
        Objects.requireNonNull(trials, "GaussianProcessSampler.sample: trials");
        Objects.requireNonNull(direction, "GaussianProcessSampler.sample: direction");
        if (space.isEmpty()) {
            throw new IllegalArgumentException("GaussianProcessSampler: the search space must not be empty");
        }
        SpaceEncoding enc = new SpaceEncoding(space);
        if (enc.columns() == 0) {
            return enc.decode(new double[0]); // every parameter fixed: nothing to search
        }
        SplittableRandom rng = new SplittableRandom(seed);

        List<double[]> xs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<double[]> failedXs = new ArrayList<>();
        List<double[]> pendingXs = new ArrayList<>();
        for (FrozenTrial t : trials) {
            if (t.state() == TrialState.PRUNED) {
                continue;
            }
            double[] u = enc.encode(t.params());
            if (u == null) {
                continue;
            }
            switch (t.state()) {
                case COMPLETE -> {
                    xs.add(u);
                    losses.add(direction.toLoss(t.value()));
                }
                case FAILED -> failedXs.add(u);
                case RUNNING -> pendingXs.add(u);
                default -> { }
            }
        }
        int initial = initialPoints > 0 ? initialPoints : Math.min(10, Math.max(5, 2 * enc.parameters()));
        if (xs.size() < Math.max(2, initial)) {
            return enc.decode(enc.random(rng));
        }

        // Warp and standardize: mean 0, variance 1, the best loss still the lowest. With output warping,
        // the power transform competes with standardization alone, and the model with the higher
        // evidence for the losses as observed wins.
        double[] raw = losses.stream().mapToDouble(Double::doubleValue).toArray();
        List<PowerTransform> warps = new ArrayList<>();
        warps.add(PowerTransform.standardization(raw));
        if (outputWarping == OutputWarping.POWER && PowerTransform.worthTrying(raw)) {
            PowerTransform power = PowerTransform.fit(raw);
            if (power.lambda() < 1) {
                warps.add(power);
            }
        }
        try {
            Model model = null;
            for (PowerTransform warp : warps) {
                Model m = fit(warp, raw, xs, failedXs, enc.categoricalColumns());
                if (model == null || m.evidence > model.evidence) {
                    model = m;
                }
            }
            return propose(enc, model, xs.size(), pendingXs, rng, raw, Math.max(2, initial));
        } catch (IllegalStateException numericalFailure) {
            // A kernel matrix that no jitter makes positive definite: an unusual, degenerate data set.
            // One random proposal is better than a failed trial; the next call may well succeed.
            LOG.warn("GaussianProcessSampler: the model could not be fitted ({}); proposing a random point",
                    numericalFailure.getMessage());
            return enc.decode(enc.random(rng));
        }
    }

    /**
     * A fitted model of the warped losses: the inputs and targets (failed trials' imputed ones
     * included), the best and worst warped loss, the MAP hyperparameters, and the evidence for the
     * losses as observed: the log posterior of the hyperparameters plus the log Jacobian of the
     * warping, so that models of differently warped losses compare.
     */
    private record Model(double[][] x, double[] y, double best, double worstZ, GpHyperparameters hyper,
                         double evidence) {
    }

    private Model fit(PowerTransform warp, double[] raw, List<double[]> xs, List<double[]> failedXs,
                      boolean[] categorical) {
        int n = raw.length;
        double worst = Double.NEGATIVE_INFINITY;
        List<double[]> fitX = new ArrayList<>(xs);
        List<Double> fitY = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double z = warp.apply(raw[i]);
            fitY.add(z);
            best = Math.min(best, z);
            worst = Math.max(worst, raw[i]);
        }
        double worstZ = warp.apply(worst);
        if (failed == FailedTrialPolicy.IMPUTE_WORST) {
            for (double[] u : failedXs) {
                fitX.add(u);
                fitY.add(worstZ);
            }
        }
        double[][] x = fitX.toArray(double[][]::new);
        double[] y = fitY.stream().mapToDouble(Double::doubleValue).toArray();
        MarginalLikelihood ml = new MarginalLikelihood(x, y, lengthScalePrior, categorical);
        double[][] starts = new double[Math.max(1, fitRestarts)][];
        for (int s = 0; s < starts.length; s++) {
            // Length scales at the prior's median, then longer ones (smoother models), then shorter.
            starts[s] = s == 0 ? ml.startAtPriorMedian() : ml.start(FIT_START_LENGTHS[s % FIT_START_LENGTHS.length]);
        }
        GpHyperparameters hyper = ml.fit(starts, 60, x.length >= SCREEN_FIT_STARTS_FROM);
        // The power transform's exponent is one more parameter fitted to the losses: Schwarz's
        // criterion charges it ln(n) / 2, so a warping must earn its keep.
        double evidence = ml.logPosterior(hyper) + warp.logJacobian(raw) - (warp.lambda() < 1 ? 0.5 * Math.log(n) : 0);
        // The constant prior mean that maximizes the likelihood under the fitted kernel (generalized
        // least squares): c = 1^T K^-1 y / 1^T K^-1 1.
        double c = new GaussianProcess(x, y, hyper).constantMean();
        for (int i = 0; i < y.length; i++) {
            y[i] -= c;
        }
        return new Model(x, y, best - c, worstZ - c, hyper, evidence);
    }

    private Map<String, Object> propose(SpaceEncoding enc, Model model, int n, List<double[]> pendingXs,
                                        SplittableRandom rng, double[] raw, int initial) {
        double[][] x = model.x;
        double[] y = model.y;
        double best = model.best;
        GpHyperparameters hyper = model.hyper;
        GaussianProcess gp = new GaussianProcess(x, y, hyper);

        if (!pendingXs.isEmpty() && pending != PendingStrategy.IGNORE) {
            double[][] px = new double[x.length + pendingXs.size()][];
            double[] py = new double[px.length];
            System.arraycopy(x, 0, px, 0, x.length);
            System.arraycopy(y, 0, py, 0, y.length);
            for (int j = 0; j < pendingXs.size(); j++) {
                double[] u = pendingXs.get(j);
                px[x.length + j] = u;
                py[x.length + j] = switch (pending) {
                    case KRIGING_BELIEVER -> gp.mean(u);
                    case CONSTANT_LIAR_WORST -> model.worstZ;
                    case CONSTANT_LIAR_MEAN -> 0;
                    case IGNORE -> throw new AssertionError();
                };
            }
            gp = new GaussianProcess(px, py, hyper);
        }

        // The best observed points, best first (ties by trial order), to search around.
        Integer[] byLoss = new Integer[n];
        for (int i = 0; i < n; i++) {
            byLoss[i] = i;
        }
        java.util.Arrays.sort(byLoss, Comparator.comparingDouble((Integer i) -> y[i]).thenComparingInt(i -> i));
        List<double[]> incumbents = new ArrayList<>();
        for (int i = 0; i < Math.min(5, n); i++) {
            incumbents.add(x[byLoss[i]]);
        }
        int[] numeric = enc.numericColumns();
        double[] lo = null;
        double[] hi = null;
        if (trustRegion && numeric.length > 0) {
            TrustRegion region = TrustRegion.replay(raw, initial, TrustRegion.failureTolerance(numeric.length));
            if (region.shrunk()) {
                // The region around the incumbent has just shrunk (or collapsed): one proposal from
                // the whole space, by Thompson sampling, to find a better basin if there is one.
                return enc.decode(ThompsonSample.minimizer(gp, incumbents, enc, rng, THOMPSON_CANDIDATES));
            }
            lo = new double[enc.columns()];
            hi = new double[enc.columns()];
            region.box(x[byLoss[0]], hyper.lengthScales(), numeric, lo, hi);
        }
        AcquisitionOptimizer opt = new AcquisitionOptimizer(acquisition, beta, candidates, acquisitionRestarts, lo, hi);
        double[] point = opt.maximize(gp, best, incumbents, enc, rng);
        return enc.decode(point);
    }

    @Override
    public String toString() {
        return "GaussianProcessSampler[acquisition=" + acquisition + (acquisition == Acquisition.UCB ? ", beta=" + beta : "")
                + ", initialPoints=" + (initialPoints > 0 ? initialPoints : "auto") + ", pending=" + pending
                + ", failed=" + failed + ", outputWarping=" + outputWarping + ", lengthScalePrior=" + lengthScalePrior + ", trustRegion=" + trustRegion + "]";
    }

    /** Options of a {@link GaussianProcessSampler}; every one has a default. */
    public static final class Builder {
        private Acquisition acquisition = Acquisition.LOG_EI;
        private double beta = 2;
        private int initialPoints = 0;
        private int fitRestarts = 2;
        private int acquisitionRestarts = 6;
        private int candidates = 1024;
        private PendingStrategy pending = PendingStrategy.KRIGING_BELIEVER;
        private FailedTrialPolicy failed = FailedTrialPolicy.SKIP;
        private OutputWarping outputWarping = OutputWarping.POWER;
        private LengthScalePrior lengthScalePrior = LengthScalePrior.GAMMA;
        private boolean trustRegion = true;

        private Builder() {
        }

        /**
         * The acquisition function; default {@link Acquisition#LOG_EI}.
         *
         * @param acquisition the acquisition function
         * @return this builder
         */
        public Builder acquisition(Acquisition acquisition) {
            this.acquisition = Objects.requireNonNull(acquisition, "GaussianProcessSampler.Builder.acquisition: acquisition");
            return this;
        }

        /**
         * UCB with exploration weight beta (-mu + sqrt(beta) sigma); beta must be finite and &gt;= 0.
         *
         * @param beta the exploration weight
         * @return this builder
         */
        public Builder ucb(double beta) {
            if (!(beta >= 0) || !Double.isFinite(beta)) {
                throw new IllegalArgumentException("GaussianProcessSampler: beta must be finite and >= 0, got " + beta);
            }
            this.acquisition = Acquisition.UCB;
            this.beta = beta;
            return this;
        }

        /**
         * How many COMPLETE trials are drawn uniformly at random before the model is used (at least
         * 2 in effect); default min(10, max(5, 2 d)) for d parameters.
         *
         * @param initialPoints the random trials before the model
         * @return this builder
         */
        public Builder initialPoints(int initialPoints) {
            if (initialPoints < 1) {
                throw new IllegalArgumentException("GaussianProcessSampler: initialPoints must be >= 1, got " + initialPoints);
            }
            this.initialPoints = initialPoints;
            return this;
        }

        /**
         * Starts of the hyperparameter fit (the best optimum wins); default 2.
         *
         * @param fitRestarts the starts of the fit
         * @return this builder
         */
        public Builder fitRestarts(int fitRestarts) {
            if (fitRestarts < 1) {
                throw new IllegalArgumentException("GaussianProcessSampler: fitRestarts must be >= 1, got " + fitRestarts);
            }
            this.fitRestarts = fitRestarts;
            return this;
        }

        /**
         * Local searches of the acquisition, from the best candidates (uniform and near the incumbents, alternately);
         * default 6.
         *
         * @param acquisitionRestarts the local searches
         * @return this builder
         */
        public Builder acquisitionRestarts(int acquisitionRestarts) {
            if (acquisitionRestarts < 0) {
                throw new IllegalArgumentException("GaussianProcessSampler: acquisitionRestarts must be >= 0, got " + acquisitionRestarts);
            }
            this.acquisitionRestarts = acquisitionRestarts;
            return this;
        }

        /**
         * Candidate points scored before the local searches; default 1024.
         *
         * @param candidates the candidate points
         * @return this builder
         */
        public Builder candidates(int candidates) {
            if (candidates < 1) {
                throw new IllegalArgumentException("GaussianProcessSampler: candidates must be >= 1, got " + candidates);
            }
            this.candidates = candidates;
            return this;
        }

        /**
         * How RUNNING trials enter the model; default {@link PendingStrategy#KRIGING_BELIEVER}.
         *
         * @param pending the strategy
         * @return this builder
         */
        public Builder pendingStrategy(PendingStrategy pending) {
            this.pending = Objects.requireNonNull(pending, "GaussianProcessSampler.Builder.pendingStrategy: pending");
            return this;
        }

        /**
         * What FAILED trials teach the model; default {@link FailedTrialPolicy#SKIP}.
         *
         * @param failed the policy
         * @return this builder
         */
        public Builder failedTrials(FailedTrialPolicy failed) {
            this.failed = Objects.requireNonNull(failed, "GaussianProcessSampler.Builder.failedTrials: failed");
            return this;
        }

        /** How the losses are transformed before the GP models them; default {@link OutputWarping#POWER}. */
        public Builder outputWarping(OutputWarping outputWarping) {
            this.outputWarping = Objects.requireNonNull(outputWarping,
                    "GaussianProcessSampler.Builder.outputWarping: outputWarping");
            return this;
        }

        /**
         * Whether to search the acquisition within a TuRBO trust region around the incumbent
         * ({@link TrustRegion}: a box whose side doubles after 3 improvements in a row and halves
         * after max(4, d) failures in a row), with a Thompson sample from the whole space
         * ({@link ThompsonSample}) as the proposal after each halving; default true. Over the
         * regret harness's 30 seeds it converges 2 to 100 times closer on problems with a broad
         * basin or a valley (Branin, Rosenbrock-4, Dixon-Price-5, Mixed Branin) and puts almost no
         * proposal in a corner of the space, at the price of a few more seeds held in a local
         * optimum of a multimodal problem (Mixed Hartmann-3); false searches the whole space
         * every time.
         *
         * @param trustRegion whether to use the trust region
         * @return this builder
         */
        public Builder trustRegion(boolean trustRegion) {
            this.trustRegion = trustRegion;
            return this;
        }

        /** The prior on each length scale; default {@link LengthScalePrior#GAMMA}. */
        public Builder lengthScalePrior(LengthScalePrior lengthScalePrior) {
            this.lengthScalePrior = Objects.requireNonNull(lengthScalePrior,
                    "GaussianProcessSampler.Builder.lengthScalePrior: lengthScalePrior");
            return this;
        }

        /**
         * The sampler.
         *
         * @return the sampler
         */
        public GaussianProcessSampler build() {
            return new GaussianProcessSampler(this);
        }
    }
}
