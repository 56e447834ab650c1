package org.trainer.core.train;

import java.util.List;

import org.trainer.core.metrics.Metric;

/**
 * The running figures of the epoch in progress: what a checkpoint taken mid-epoch must hold so that
 * the epoch's "loss" and metrics come out as if it had never stopped.
 */
final class EpochState {
    /** The training metrics, accumulating over the epoch's batches. */
    final List<Metric> metrics;
    /** The first group's learning rate at the epoch's start (the epoch's "lr" figure). */
    final double lr;
    /** Sum over the batches so far of (mean batch loss x batch size). */
    double lossSum;
    /** Samples trained on so far in this epoch. */
    long seen;
    /** The index of the next batch. */
    int batch;

    EpochState(List<Metric> metrics, double lr) {
        this.metrics = metrics;
        this.lr = lr;
    }
}
