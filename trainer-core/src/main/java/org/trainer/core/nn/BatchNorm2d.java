package org.trainer.core.nn;

/** Batch normalisation of [N, C, H, W] images per channel (see {@link BatchNorm}). */
public final class BatchNorm2d extends BatchNorm {
    /**
     * PyTorch's defaults: eps 1e-5, momentum 0.1.
     *
     * @param channels the number of channels C
     */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    /**
     * With eps added to the variance and momentum weighing the new batch in the running statistics.
     *
     * @param channels the number of channels C
     * @param eps added to the variance, positive
     * @param momentum the weight of the new batch in the running statistics, in [0, 1]
     */
    public BatchNorm2d(int channels, double eps, double momentum) {
        super(channels, 2, eps, momentum);
    }
}
