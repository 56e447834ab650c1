package org.trainer.core.data.split;

import java.util.Objects;

import org.trainer.core.data.TensorDataset;

/**
 * One train/validation/test split: three disjoint arrays of sample indices that together hold
 * every sample exactly once. Made by {@link Splits}; the arrays are the split's own (callers must
 * not change them).
 *
 * @param train the indices to train on
 * @param validation the indices to choose hyperparameters and stop on (may be empty)
 * @param test the indices held out for the final figure (may be empty)
 */
public record Split(int[] train, int[] validation, int[] test) {

    /**
     * Checks that the three index arrays are given (they are kept, not copied).
     *
     * @param train the training indices
     * @param validation the validation indices
     * @param test the test indices
     */
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
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

    /**
     * The test samples of {@code data}, copied in the order of {@link #test()}.
     *
     * @param data the dataset
     * @return the test samples
     */
    public TensorDataset testSet(TensorDataset data) {
        return data.subset(test);
    }

    @Override
    public String toString() {
        return "Split(train " + train.length + ", validation " + validation.length + ", test " + test.length + ")";
    }
}
