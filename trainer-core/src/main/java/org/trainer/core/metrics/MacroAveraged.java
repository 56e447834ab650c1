package org.trainer.core.metrics;

import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * What the macro-averaged class metrics share: they accumulate a {@link ConfusionMatrix} and read
 * one figure off it; the counts are their whole state, saved for a checkpoint taken mid-epoch.
 */
abstract class MacroAveraged implements Metric, Stateful {
    final ConfusionMatrix counts;

    MacroAveraged(int numClasses) {
        this.counts = new ConfusionMatrix(numClasses, getClass().getSimpleName());
    }

    @Override
    public final void update(Tensor prediction, Tensor target) {
        counts.update(prediction, target);
    }

    @Override
    public final void reset() {
        counts.reset();
    }

    /** The confusion counts so far ("counts", float64 [C, C]). */
    @Override
    public final Map<String, Tensor> stateDict() {
        return counts.stateDict();
    }

    @Override
    public final void loadStateDict(Map<String, Tensor> state) {
        counts.loadStateDict(state);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + counts.numClasses() + " classes, " + counts.total() + " samples)";
    }
}
