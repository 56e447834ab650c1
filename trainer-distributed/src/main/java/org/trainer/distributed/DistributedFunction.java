package org.trainer.distributed;

import java.io.Serializable;

/**
 * The training function a launcher runs on every rank: it builds its model and loaders, trains
 * (typically through {@code DistributedDataParallel}) and returns its result. Launchers return rank
 * 0's result. Serializable, because a cluster launcher ships it to the machines that run the ranks;
 * the result must be serializable for the same reason.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface DistributedFunction<R> extends Serializable {
    /**
     * Runs this rank's part of the job; the launcher returns rank 0's result.
     *
     * @param context this rank's place in the job
     * @return this rank's result
     * @throws Exception anything the training throws; the launcher reports it and the attempt fails
     */
    R apply(DistributedContext context) throws Exception;
}
