package org.trainer.distributed;

import java.nio.file.Path;
import java.util.Objects;

import org.trainer.core.train.checkpoint.Checkpointing;

/**
 * What one rank of a distributed job is told when a launcher starts it: its rank, how many ranks
 * there are, the collective that connects them, and which attempt of the job this is (0 the first;
 * a launcher that restarts a failed job counts up, so the job can tell a resume from a fresh start).
 */
public final class DistributedContext {
    private final int rank;
    private final int worldSize;
    private final int attempt;
    private final Collective collective;

    /**
     * @param collective the job's collective
     * @param attempt the attempt, from 0
     * @throws IllegalArgumentException if the collective's rank or size differ from the given ones, or attempt &lt; 0
     */
    public DistributedContext(Collective collective, int attempt) {
        this.collective = Objects.requireNonNull(collective, "collective");
        this.rank = collective.rank();
        this.worldSize = collective.worldSize();
        if (attempt < 0) {
            throw new IllegalArgumentException("DistributedContext: attempt must be >= 0, got " + attempt);
        }
        this.attempt = attempt;
    }

    /**
     * This rank, 0 to worldSize - 1; rank 0 writes checkpoints and returns the job's result.
     *
     * @return the rank
     */
    public int rank() {
        return rank;
    }

    /**
     * The number of ranks in the job.
     *
     * @return the world size
     */
    public int worldSize() {
        return worldSize;
    }

    /**
     * 0 for the job's first start, counting up with each restart after a failure.
     *
     * @return the attempt
     */
    public int attempt() {
        return attempt;
    }

    /**
     * The collective among the job's ranks.
     *
     * @return the collective
     */
    public Collective collective() {
        return collective;
    }

    /**
     * Whether this is rank 0.
     *
     * @return whether this is rank 0
     */
    public boolean isLeader() {
        return rank == 0;
    }

    /**
     * Checkpoint settings for this rank of a data-parallel job: rank 0 alone writes into
     * {@code directory}, and every rank resumes from the checkpoint rank 0 chooses
     * ({@link LeaderResume}), whether or not its own {@code directory} (on its own machine) holds it.
     * Add the schedule and build:
     * {@code trainer.checkpoints(ctx.checkpoints(dir).everySteps(500).build())}.
     *
     * <p>Storage: rank 0 must find the checkpoints it wrote wherever it runs. When a failed job is
     * started again (by a launcher, or by Spark retrying the stage) and its rank 0 may land on
     * another machine, {@code directory} must be on storage every machine sees under the same path
     * (a shared or network file system); the other ranks may use local disks. A rank 0 that finds
     * no checkpoint while another rank's {@code directory} holds one fails the job with an error
     * naming them rather than silently starting afresh.
     *
     * @param directory where rank 0 writes checkpoints and every rank looks for them
     * @return the settings, to complete with a schedule
     */
    public Checkpointing.Builder checkpoints(Path directory) {
        return Checkpointing.builder(directory).writes(isLeader()).resumeFrom(new LeaderResume(collective));
    }

    @Override
    public String toString() {
        return "DistributedContext(rank " + rank + " of " + worldSize + ", attempt " + attempt + ")";
    }
}
