package org.trainer.hpo.gp;

/**
 * How the observed losses are transformed before the GP models them. Both end standardized (mean
 * 0, variance 1); the transform is monotone, so the best observation stays the best.
 */
public enum OutputWarping {
    /** Standardization only: the GP models the losses as they are. */
    NONE,
    /**
     * A power transform fitted to the losses by maximum likelihood, as HEBO does: Box-Cox when every
     * loss is positive, Yeo-Johnson otherwise, on the losses divided by their standard deviation
     * ({@link PowerTransform}). Its exponent is limited to [-1, 1]: concave transforms only, which
     * spread out the low (good) end of losses whose large values span orders of magnitude. It is
     * tried only for losses of both signs or positive ones spanning three orders of magnitude, and
     * kept only when the GP's evidence for the observed losses (with the transform's Jacobian, less
     * ln(n) / 2 for the fitted exponent) beats that of the standardized losses; otherwise the losses
     * are only standardized, as with {@link #NONE}.
     */
    POWER
}
