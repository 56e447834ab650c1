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
    private final ResumeSource resumeSource;
    private final StopRequest stopRequest;

    private Checkpointing(Builder b) {
        this.resumeSource = b.resumeSource;
        this.stopRequest = b.stopRequest;
        this.writes = b.writes;
        this.allDamaged = b.allDamaged;
        this.directory = b.directory;
        this.everySteps = b.everySteps;
        this.everyEpoch = b.everyEpoch;
        this.keepLast = b.keepLast;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    }

    /**
     * Settings writing into {@code directory}: by default after each epoch, keeping the last 3.
     *
     * @param directory the checkpoint directory
     * @return a builder
     */
    public static Builder builder(Path directory) {
        return new Builder(Objects.requireNonNull(directory, "Checkpointing: directory must not be null"));
    }

    /**
     * The directory checkpoints are written to and resumed from.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Steps between checkpoints; 0 for none within epochs.
     *
     * @return the steps between checkpoints, or 0
     */
    public int everySteps() {
        return everySteps;
    }

    /**
     * Whether a checkpoint is written after each epoch.
     *
     * @return whether epochs end with a checkpoint
     */
    public boolean everyEpoch() {
        return everyEpoch;
    }

    /**
     * How many of the newest checkpoints are kept after each write.
     *
     * @return the number kept
     */
    public int keepLast() {
        return keepLast;
    }

    /**
     * Whether this process writes checkpoints (true by default), or only resumes from those another
     * process writes: in a data-parallel job every rank resumes from the directory, and rank 0 alone
     * writes to it.
     *
     * @return whether this process writes
     */
    public boolean writes() {
        return writes;
    }

    /**
     * What chooses the checkpoint fit resumes from; {@link ResumeSource#NEWEST} by default.
     *
     * @return the source
     */
    public ResumeSource resumeSource() {
        return resumeSource;
    }

    /**
     * What fit does when every checkpoint of the directory is damaged; {@link AllDamaged#FAIL} by default.
     *
     * @return the policy
     */
    public AllDamaged onAllDamaged() {
        return allDamaged;
    }

    /**
     * The caller's key-value pairs, recorded in each checkpoint's info under "metadata".
     *
     * @return the pairs
     */
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
        private ResumeSource resumeSource = ResumeSource.NEWEST;
        private StopRequest stopRequest;

        private Builder(Path directory) {
            this.directory = directory;
        }

        /**
         * A checkpoint after every n-th optimizer step (n >= 1), or 0 for none within epochs.
         *
         * @param n steps between checkpoints, or 0
         * @return this builder
         */
        public Builder everySteps(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("Checkpointing: everySteps must be >= 0 (0 = off), got " + n);
            }
            this.everySteps = n;
            return this;
        }

        /**
         * A checkpoint at the end of each epoch (on by default).
         *
         * @param on whether to write after each epoch
         * @return this builder
         */
        public Builder everyEpoch(boolean on) {
            this.everyEpoch = on;
            return this;
        }

        /**
         * How many checkpoints to keep, newest first, at least 1.
         *
         * @param k checkpoints to keep, at least 1
         * @return this builder
         */
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
         *
         * @param on whether this process writes
         * @return this builder
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
         *
         * @param policy FAIL or START_OVER
         * @return this builder
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

        /**
         * What chooses the checkpoint fit resumes from: the newest good one of the directory
         * ({@link ResumeSource#NEWEST}, the default), or e.g. the one rank 0 of a data-parallel job
         * chose, so that ranks with different directories resume from the same step.
         *
         * @param source what chooses
         * @return this builder
         */
        public Builder resumeFrom(ResumeSource source) {
            this.resumeSource = Objects.requireNonNull(source, "Checkpointing: resumeFrom must not be null");
            return this;
        }

        /**
         * A key-value pair to record in every checkpoint (e.g. the run's name or configuration).
         *
         * @param key the key
         * @param value the value
         * @return this builder
         */
        public Builder metadata(String key, String value) {
            if (key == null || key.isEmpty() || value == null) {
                throw new IllegalArgumentException("Checkpointing: metadata needs a non-empty key and a value, got '"
                        + key + "' = " + value);
            }
            metadata.put(key, value);
            return this;
        }

        /**
         * @throws IllegalArgumentException when neither everySteps nor everyEpoch would ever write one
         *
         * @return the settings
         */
        public Checkpointing build() {
            if (everySteps == 0 && !everyEpoch) {
                throw new IllegalArgumentException("Checkpointing: everySteps is 0 and everyEpoch is false, so no "
                        + "checkpoint would ever be written; turn one of them on");
            }
            return new Checkpointing(this);
        }
    }
}
