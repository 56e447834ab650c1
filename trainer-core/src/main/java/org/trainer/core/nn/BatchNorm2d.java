package org.trainer.core.nn;

/** Batch normalisation of [N, C, H, W] images per channel (see {@link BatchNorm}). */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    public BatchNorm2d(int channels, double eps, double momentum) {
        super(channels, 2, eps, momentum);
    }
}
