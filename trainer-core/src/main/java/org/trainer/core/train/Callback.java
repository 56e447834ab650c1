package org.trainer.core.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}. Every method has an empty default; a callback may stop training
 * with {@link TrainingContext#requestStop()}, which takes effect after the current batch.
 */
public interface Callback {

    /**
     * Once, before the first epoch (also when {@code fit} resumes from a checkpoint).
     *
     * @param ctx the run
     */
    default void onTrainBegin(TrainingContext ctx) {
    }

    /**
     * Once, after the last epoch or a requested stop; not called when training fails.
     *
     * @param ctx the run
     */
    default void onTrainEnd(TrainingContext ctx) {
    }

    /**
     * Before the first batch of epoch {@code epoch} (0-based).
     *
     * @param ctx the run
     * @param epoch the epoch, from 0
     */
    default void onEpochBegin(TrainingContext ctx, int epoch) {
    }

    /**
     * After validation; {@code logs} holds this epoch's figures ("loss", "val_loss", "accuracy", ...).
     *
     * @param ctx the run
     * @param epoch the epoch, from 0
     * @param logs the epoch's figures by name; a callback may add its own
     */
    default void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
    }

    /**
     * Before the forward pass of batch {@code batch} (0-based within the epoch).
     *
     * @param ctx the run
     * @param batch the batch, from 0 within the epoch
     */
    default void onBatchBegin(TrainingContext ctx, int batch) {
    }

    /**
     * After the optimizer step of batch {@code batch} (0-based within the epoch).
     *
     * @param ctx the run
     * @param batch the batch, from 0 within the epoch
     * @param loss the batch's loss
     */
    default void onBatchEnd(TrainingContext ctx, int batch, double loss) {
    }
}
