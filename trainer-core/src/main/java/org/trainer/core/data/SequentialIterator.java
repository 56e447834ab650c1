package org.trainer.core.data;

import java.util.NoSuchElementException;

/** Builds each batch on the consumer's thread when asked for it (prefetch 0). */
final class SequentialIterator implements BatchIterator {
    private final Dataset dataset;
    private final int[][] plan;
    private int next;

    SequentialIterator(Dataset dataset, int[][] plan) {
        this.dataset = dataset;
        this.plan = plan;
    }

    @Override
    public boolean hasNext() {
        return next < plan.length;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("DataLoader: the epoch has ended (" + plan.length + " batches)");
        }
        return dataset.get(plan[next++]);
    }

    @Override
    public void close() {
        next = plan.length;
    }
}
