package org.trainer.core.train.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * When and where a {@link org.trainer.core.train.Trainer} writes checkpoints, given to
 * {@code trainer.checkpoints(...)}:
 * <pre>
 *   trainer.checkpoints(Checkpointing.builder(dir).everySteps(100).everyEpoch(true).keepLast(3).build());
 *   trainer.fit(...);   // resumes from the newest good checkpoint in dir, if there is one
 * </pre>
 * A checkpoint is written after every {@code everySteps}-th optimizer step (counted over the whole
 * run) and/or after each epoch (after validation and the callbacks' onEpochEnd); a step checkpoint
 * that falls on an epoch's last batch is left to the epoch's one when both are on. After each
 * write only the newest {@code keepLast} are kept. See {@link CheckpointStore} for the layout.
 */
public final class Checkpointing {
    /**
     * What {@code fit} does when the directory holds checkpoints but every one is refused as
     * damaged (see {@link CheckpointStore#read}).
     */
    public enum AllDamaged {
        /** Fail with an error that lists each refused checkpoint and why (the default): nothing is trained or written. */
        FAIL,
        /** Train from the start, logging each refused checkpoint and why at WARN; later writes replace them. */
        START_OVER
    }

    private final Path directory;
    private final AllDamaged allDamaged;
    private final int everySteps;
    private final boolean everyEpoch;
    private final int keepLast;
    private final Map<String, String> metadata;
    private final boolean writes;
    private final StopRequest stopRequest;

    private Checkpointing(Builder b) {
        this.stopRequest = b.stopRequest;
        this.writes = b.writes;
        this.allDamaged = b.allDamaged;
        this.directory = b.directory;
        this.everySteps = b.everySteps;
        this.everyEpoch = b.everyEpoch;
        this.keepLast = b.keepLast;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    }

    /** Settings writing into {@code directory}: by default after each epoch, keeping the last 3. */
    public static Builder builder(Path directory) {
        return new Builder(Objects.requireNonNull(directory, "Checkpointing: directory must not be null"));
    }

    public Path directory() {
        return directory;
    }

    /** Steps between checkpoints; 0 for none within epochs. */
    public int everySteps() {
        return everySteps;
    }

    public boolean everyEpoch() {
        return everyEpoch;
    }

    public int keepLast() {
        return keepLast;
    }

    /**
     * Whether this process writes checkpoints (true by default), or only resumes from those another
     * process writes: in a data-parallel job every rank resumes from the directory, and rank 0 alone
     * writes to it.
     */
    public boolean writes() {
        return writes;
    }

    /** What fit does when every checkpoint of the directory is damaged; {@link AllDamaged#FAIL} by default. */
    public AllDamaged onAllDamaged() {
        return allDamaged;
    }

    /** The caller's key-value pairs, recorded in each checkpoint's info under "metadata". */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The request that makes fit checkpoint and stop, or null when there is none. */
    public StopRequest stopRequest() {
        return stopRequest;
    }

    /** The store over {@link #directory()}. */
    public CheckpointStore store() {
        return new CheckpointStore(directory);
    }

    @Override
    public String toString() {
        return "Checkpointing(" + directory + ", everySteps " + everySteps + ", everyEpoch " + everyEpoch
                + ", keepLast " + keepLast + (writes ? "" : ", read-only") + ")";
    }

    /** Options of {@link Checkpointing}; each setter validates its argument at once. */
    public static final class Builder {
        private final Path directory;
        private int everySteps;
        private boolean everyEpoch = true;
        private int keepLast = 3;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private boolean writes = true;
        private AllDamaged allDamaged = AllDamaged.FAIL;
        private StopRequest stopRequest;

        private Builder(Path directory) {
            this.directory = directory;
        }

        /** A checkpoint after every n-th optimizer step (n >= 1), or 0 for none within epochs. */
        public Builder everySteps(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("Checkpointing: everySteps must be >= 0 (0 = off), got " + n);
            }
            this.everySteps = n;
            return this;
        }

        /** A checkpoint at the end of each epoch (on by default). */
        public Builder everyEpoch(boolean on) {
            this.everyEpoch = on;
            return this;
        }

        /** How many checkpoints to keep, newest first, at least 1. */
        public Builder keepLast(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("Checkpointing: keepLast must be >= 1, got " + k);
            }
            this.keepLast = k;
            return this;
        }

        /**
         * Whether this process writes checkpoints (on by default). On, fit holds the directory's
         * {@link CheckpointLock} for the whole run and is refused when another writer holds it. Off,
         * fit still resumes from the directory's newest good checkpoint but takes no lock and never
         * writes, moves or deletes anything there: the setting of the ranks other than 0 of a
         * data-parallel job, which share rank 0's directory.
         */
        public Builder writes(boolean on) {
            this.writes = on;
            return this;
        }

        /**
         * What fit does when the directory holds checkpoints and every one is damaged: fail, listing
         * each and why ({@link AllDamaged#FAIL}, the default, so that a run never silently loses its
         * progress), or train from the start ({@link AllDamaged#START_OVER}). An empty or absent
         * directory always trains from the start.
         */
        public Builder onAllDamaged(AllDamaged policy) {
            this.allDamaged = Objects.requireNonNull(policy, "Checkpointing: onAllDamaged must not be null");
            return this;
        }

        /**
         * A request that another thread may make while fit runs (null: none, the default): fit then
         * finishes the current optimizer step, writes a checkpoint of that moment at once (or reuses
         * the one just written there) and throws {@link TrainingStoppedException}. Mid-epoch this
         * needs every metric to be {@link Stateful}; otherwise the stop waits for the epoch's end.
         */
        public Builder stopRequest(StopRequest request) {
            this.stopRequest = request;
            return this;
        }

        /** A key-value pair to record in every checkpoint (e.g. the run's name or configuration). */
        public Builder metadata(String key, String value) {
            if (key == null || key.isEmpty() || value == null) {
                throw new IllegalArgumentException("Checkpointing: metadata needs a non-empty key and a value, got '"
                        + key + "' = " + value);
            }
            metadata.put(key, value);
            return this;
        }

        /** @throws IllegalArgumentException when neither everySteps nor everyEpoch would ever write one */
        public Checkpointing build() {
            if (everySteps == 0 && !everyEpoch) {
                throw new IllegalArgumentException("Checkpointing: everySteps is 0 and everyEpoch is false, so no "
                        + "checkpoint would ever be written; turn one of them on");
            }
            return new Checkpointing(this);
        }
    }
}
