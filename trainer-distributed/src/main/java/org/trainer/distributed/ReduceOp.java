package org.trainer.distributed;

/** How {@link Collective#allReduce} combines the ranks' values. */
public enum ReduceOp {
    /** The element-wise sum over ranks. */
    SUM,
    /** The element-wise sum over ranks divided by the number of ranks (after summing, on every rank alike). */
    MEAN
}
