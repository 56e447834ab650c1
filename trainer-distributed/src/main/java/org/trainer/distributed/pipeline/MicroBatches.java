package org.trainer.distributed.pipeline;

/**
 * How a mini-batch of n samples splits into at most M micro-batches along axis 0: k = min(n, M)
 * non-empty micro-batches whose sizes differ by at most one, the larger ones first (the first
 * n mod k get ceil(n / k) samples, the rest floor(n / k)), as {@code torch.tensor_split} does.
 * Micro-batch j starts at the sum of the sizes before it.
 */
record MicroBatches(int batchSize, int[] sizes, int[] offsets) {

    static MicroBatches split(int batchSize, int maxMicroBatches) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Pipeline: a mini-batch needs at least one sample, got " + batchSize);
        }
        int k = Math.min(batchSize, maxMicroBatches);
        int[] sizes = new int[k];
        int[] offsets = new int[k];
        int base = batchSize / k;
        int larger = batchSize % k;
        int at = 0;
        for (int j = 0; j < k; j++) {
            sizes[j] = base + (j < larger ? 1 : 0);
            offsets[j] = at;
            at += sizes[j];
        }
        return new MicroBatches(batchSize, sizes, offsets);
    }

    int count() {
        return sizes.length;
    }

    /** The weight n_j / n of micro-batch j's mean loss in the mini-batch's mean loss. */
    double weight(int j) {
        return (double) sizes[j] / batchSize;
    }
}
