package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** Flattens every axis after the batch axis: [N, ...] -> [N, prod(...)]. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.rank() <= 2 ? x : x.flatten(1, -1);
    }
}
