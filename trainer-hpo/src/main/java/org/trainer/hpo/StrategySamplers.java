package org.trainer.hpo;

import org.trainer.hpo.gp.GaussianProcessSampler;

/** The sampler behind each {@link Strategy}. */
final class StrategySamplers {

    private StrategySamplers() {
    }

    static Sampler of(Strategy strategy, int gridPoints) {
        return switch (strategy) {
            case GRID -> new GridSampler(gridPoints);
            case RANDOM, HYPERBAND -> new RandomSampler();
            case BAYESIAN -> new GaussianProcessSampler();
        };
    }
}
