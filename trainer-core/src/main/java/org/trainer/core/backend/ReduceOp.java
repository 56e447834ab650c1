package org.trainer.core.backend;

/** Reductions along one axis. */
public enum ReduceOp {
    /** The sum of the elements. */
    SUM,
    /** The largest element. */
    MAX,
    /** The smallest element. */
    MIN
}
