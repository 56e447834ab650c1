package org.trainer.core.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}. Every method has an empty default; a callback may stop training
 * with {@link TrainingContext#requestStop()}, which takes effect after the current batch.
 */
public interface Callback {

    /** Once, before the first epoch (also when {@code fit} resumes from a checkpoint). */
    default void onTrainBegin(TrainingContext ctx) {
    }

    /** Once, after the last epoch or a requested stop; not called when training fails. */
    default void onTrainEnd(TrainingContext ctx) {
    }

    /** Before the first batch of epoch {@code epoch} (0-based). */
    default void onEpochBegin(TrainingContext ctx, int epoch) {
    }

    /** After validation; {@code logs} holds this epoch's figures ("loss", "val_loss", "accuracy", ...). */
    default void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
    }

    /** Before the forward pass of batch {@code batch} (0-based within the epoch). */
    default void onBatchBegin(TrainingContext ctx, int batch) {
    }

    /** After the optimizer step of batch {@code batch} (0-based within the epoch). */
    default void onBatchEnd(TrainingContext ctx, int batch, double loss) {
    }
}
