package org.trainer.hpo.gp;

/**
 * The prior on each of the GP's length scales (inputs in the unit cube), which the
 * hyperparameter fit adds to the log marginal likelihood, evaluated at the length scale l as
 * BoTorch does.
 */
public enum LengthScalePrior {
    /**
     * Gamma(3, 6): mode 1/3, mean 1/2, whatever the dimension (BoTorch's classic default); log p =
     * 2 ln l - 6 l. Short scales: a model that trusts its data only near them.
     */
    GAMMA,
    /**
     * LogNormal(sqrt 2 + ln(D) / 2, sqrt 3) for D input columns (Hvarfner, Hellsten and Nardi,
     * "Vanilla Bayesian Optimization Performs Great in High Dimensions", 2024; BoTorch's default
     * since 0.12): the median length scale grows as sqrt D, as the distance between points in the
     * cube does, so the model stays smooth in more dimensions instead of reverting to its mean
     * (and its largest uncertainty, at the corners of the space) away from the data. log p =
     * -(ln l - mu)^2 / (2 sigma^2) - ln l.
     */
    DIMENSION_SCALED;

    /** ln p(l) up to a constant, with d ln p / d ln l written to {@code derivative[0]}, for D columns. */
    double logDensity(double logL, int columns, double[] derivative) {
        return switch (this) {
            case GAMMA -> {
                double l = Math.exp(logL);
                derivative[0] = 2 - 6 * l;
                yield 2 * logL - 6 * l;
            }
            case DIMENSION_SCALED -> {
                double mu = location(columns);
                double z = (logL - mu) / SCALE;
                derivative[0] = -z / SCALE - 1;
                yield -0.5 * z * z - logL;
            }
        };
    }

    /** The median length scale for D columns: a start for the fit. */
    double median(int columns) {
        return switch (this) {
            case GAMMA -> 0.5;
            case DIMENSION_SCALED -> Math.exp(location(columns));
        };
    }

    private static final double SCALE = Math.sqrt(3);

    private static double location(int columns) {
        return Math.sqrt(2) + 0.5 * Math.log(Math.max(1, columns));
    }
}
