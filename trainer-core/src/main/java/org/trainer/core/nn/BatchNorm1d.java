package org.trainer.core.nn;

/** Batch normalisation of [N, C] features (see {@link BatchNorm}). */
public final class BatchNorm1d extends BatchNorm {
    /**
     * PyTorch's defaults: eps 1e-5, momentum 0.1.
     *
     * @param features the number of features C
     */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1);
    }

    /**
     * With eps added to the variance and momentum weighing the new batch in the running statistics.
     *
     * @param features the number of features C
     * @param eps added to the variance, positive
     * @param momentum the weight of the new batch in the running statistics, in [0, 1]
     */
    public BatchNorm1d(int features, double eps, double momentum) {
        super(features, 0, eps, momentum);
    }
}
