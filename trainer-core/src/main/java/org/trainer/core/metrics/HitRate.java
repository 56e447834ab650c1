package org.trainer.core.metrics;

import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * What the accuracy metrics share: a count of samples that hit and a count of samples seen; the
 * figure is hits / seen (NaN before any sample), and the two counts are the whole state, saved for
 * a checkpoint taken mid-epoch.
 */
abstract class HitRate implements Metric, Stateful {
    private long correct;
    private long total;

    /** Adds {@code hits} hits among {@code seen} more samples. */
    final void count(long hits, long seen) {
        correct += hits;
        total += seen;
    }

    @Override
    public final double compute() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    @Override
    public final void reset() {
        correct = 0;
        total = 0;
    }

    /** The counts so far: "correct" and "total" (float64 scalars). */
    @Override
    public final Map<String, Tensor> stateDict() {
        return Map.of("correct", StateEntries.scalar(correct), "total", StateEntries.scalar(total));
    }

    @Override
    public final void loadStateDict(Map<String, Tensor> state) {
        String owner = getClass().getSimpleName();
        StateEntries.expectKeys(owner, state, Set.of("correct", "total"));
        long c = StateEntries.readCount(owner, state, "correct");
        long t = StateEntries.readCount(owner, state, "total");
        if (c > t) {
            throw new IllegalArgumentException(owner + ".loadStateDict: correct (" + c + ") exceeds total (" + t + ")");
        }
        correct = c;
        total = t;
    }

    /** "correct/total", for toString. */
    final String counts() {
        return correct + "/" + total;
    }
}
