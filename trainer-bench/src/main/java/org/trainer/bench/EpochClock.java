package org.trainer.bench;

import java.util.List;
import java.util.Map;

import org.trainer.core.train.Callback;
import org.trainer.core.train.TrainingContext;

/**
 * A callback that adds the wall seconds of each epoch from {@code firstEpoch} on (0-based; the
 * earlier ones are JIT warm-up) to a list, training and validation included.
 */
final class EpochClock implements Callback {
    private final int firstEpoch;
    private final List<Double> seconds;
    private long start;

    EpochClock(int firstEpoch, List<Double> seconds) {
        this.firstEpoch = firstEpoch;
        this.seconds = seconds;
    }

    @Override
    public void onEpochBegin(TrainingContext t, int epoch) {
        start = System.nanoTime();
    }

    @Override
    public void onEpochEnd(TrainingContext t, int epoch, Map<String, Double> logs) {
        if (epoch >= firstEpoch) {
            seconds.add((System.nanoTime() - start) / 1e9);
        }
    }
}
