package org.trainer.core.data.split;

import java.util.Objects;

import org.trainer.core.data.TensorDataset;

/**
 * One fold of a cross-validation: disjoint training and validation sample indices. Made by
 * {@link KFold} and {@link WalkForward}; the arrays are the fold's own (callers must not change
 * them).
 *
 * @param train the indices to train on
 * @param validation the indices to score the trained model on
 */
public record Fold(int[] train, int[] validation) {

    /**
     * Checks that both index arrays are given (they are kept, not copied).
     *
     * @param train the indices to train on
     * @param validation the indices to score on
     */
    public Fold {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
    }

    /**
     * The training samples of {@code data}, copied in the order of {@link #train()}.
     *
     * @param data the dataset
     * @return the training samples
     */
    public TensorDataset trainSet(TensorDataset data) {
        return data.subset(train);
    }

    /**
     * The validation samples of {@code data}, copied in the order of {@link #validation()}.
     *
     * @param data the dataset
     * @return the validation samples
     */
    public TensorDataset validationSet(TensorDataset data) {
        return data.subset(validation);
    }

    @Override
    public String toString() {
        return "Fold(train " + train.length + ", validation " + validation.length + ")";
    }
}
