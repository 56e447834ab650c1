package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the checkpoint a {@link org.trainer.core.train.Trainer#fit} resumes from, given to
 * {@link Checkpointing.Builder#resumeFrom}. The default, {@link #NEWEST}, takes the newest good
 * checkpoint of the run's own directory. A data-parallel job whose ranks see different directories
 * (one disk per machine) needs every rank to resume from the same checkpoint: there, rank 0 chooses
 * and the others follow (trainer-distributed's {@code LeaderResume}).
 *
 * <p>Fit calls it once, before training, after taking the directory's writer lock (when it writes)
 * and removing the temporaries of interrupted writes.
 */
@FunctionalInterface
public interface ResumeSource {
    /** The newest checkpoint of the store that verifies: {@link CheckpointStore#latest(List)}. */
    ResumeSource NEWEST = CheckpointStore::latest;

    /**
     * The checkpoint to resume from, or empty to train from the start. Each checkpoint refused as
     * damaged on the way is added to {@code refused}: empty with refused checkpoints means every one
     * was damaged, which fit then treats as {@link Checkpointing#onAllDamaged()} says. Modifies only
     * {@code refused}.
     *
     * @param store the run's checkpoint directory
     * @throws IOException when the directory cannot be read
     */
    Optional<Checkpoint> choose(CheckpointStore store, List<CorruptCheckpointException> refused) throws IOException;
}
