package org.trainer.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.trainer.core.nn.Seeds;

/**
 * Streams batches from a {@link RecordFormat}, re-reading its sources every epoch ("pipe mode"):
 * for data that does not fit in memory, or that arrives as a stream. {@link DataLoader} over a
 * {@link TensorDataset} is the in-memory counterpart ("file mode"): loaded once, reused each epoch.
 *
 * <p><b>Memory.</b> Bounded by the shuffle buffer and the batches in flight, whatever the size of
 * the data: about shuffleBuffer + (3 + prefetch) x batchSize records, plus the readers' I/O buffers.
 *
 * <p><b>Order.</b> Without a shuffle buffer (size 0 or 1) every epoch yields the records in source
 * order, so the batches equal those of a {@code DataLoader} without shuffle over the same records.
 * With a buffer of K records, epoch e yields them in the order of a bounded shuffle (tf.data's
 * {@code shuffle(K)}, see {@link ShuffleBuffer}): each record exactly once, at most K - 1 positions
 * earlier than in the source, in an order that is a pure function of (seed, e) for given data and
 * different from epoch to epoch. K at least the number of records gives a full uniform shuffle.
 *
 * <p><b>Batches.</b> Consecutive groups of B records of the epoch's order; the last one is short
 * unless {@code dropLast} skips it. {@link #batchesPerEpoch()} is ceil(N / B) (floor with dropLast)
 * when the record count N is known, from the format (an IDX header) or from
 * {@link Builder#recordCount(long)}, and -1 otherwise. A stated count is checked: a pass that holds
 * more or fewer records fails with an {@link IllegalStateException}.
 *
 * <p><b>Decode-ahead.</b> With {@code prefetch} k >= 1 a background daemon thread reads, shuffles
 * and packs up to k batches ahead of the trainer; the batches are identical to those of
 * {@code prefetch(0)}, and errors arrive at the batch that failed.
 *
 * <p><b>Normalization and augmentation.</b> {@link Builder#normalize(Normalize)} standardises the
 * features of every batch; {@link Builder#augment(Transform...)} and
 * {@link Builder#augmentBatches(BatchTransform...)} then apply the library's augmentation as a
 * {@link DataLoader} does ({@link AugmentPipeline}): the record at position p of epoch e (its place
 * in the epoch's order, from 0) draws from a stream keyed by (seed, e, p) alone, so the batches are
 * a pure function of (data, seed, e), with or without prefetch. A loader that streams the same
 * records in the same order as a {@code DataLoader} over {@code normalize.apply(dataset)} with
 * the same transforms and seed gives bitwise the same batches. A loader that augments reports
 * {@link #augments()}, and evaluation refuses it: augment training data only.
 *
 * <p><b>Errors.</b> A malformed record fails the epoch with an {@link IllegalArgumentException},
 * a damaged or unreadable source with an {@link UncheckedIOException}, each naming the source, the
 * record number and, for a value, the column. Opening the sources fails at {@link #iterator(int)}.
 */
public final class StreamingLoader extends EpochCounter {
    private final RecordFormat format;
    private final int batchSize;
    private final int shuffleBuffer;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final long recordCount;
    private final Normalize normalize;
    private final AugmentPipeline augmentation;

    private StreamingLoader(Builder b, long recordCount) {
        this.format = b.format;
        this.batchSize = b.batchSize;
        this.shuffleBuffer = b.shuffleBuffer;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.recordCount = recordCount;
        this.normalize = b.normalize;
        this.augmentation = new AugmentPipeline(b.sampleTransforms, b.batchTransforms);
    }

    /** A builder with batch size 1, no shuffle buffer, the seed of Seeds.dataSeed(), no drop-last and no prefetch. */
    public static Builder builder(RecordFormat format) {
        return new Builder(Objects.requireNonNull(format, "format"));
    }

    /**
     * The format that reads records from the sources.
     *
     * @return the format
     */
    public RecordFormat format() {
        return format;
    }

    /**
     * The number of records per batch.
     *
     * @return B
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The number of records of an epoch, or -1 when it is not known before reading.
     *
     * @return the count, or -1
     */
    public long recordCount() {
        return recordCount;
    }

    /**
     * Iterations per epoch: ceil(N / B), or floor(N / B) with {@code dropLast}, when the record
     * count N is known; -1 when it is not.
     */
    @Override
    public int batchesPerEpoch() {
        if (recordCount < 0) {
            return -1;
        }
        return batchCount(recordCount, batchSize, dropLast);
    }

    /**
     * The batches of epoch {@code e}, read afresh from the sources; leaves the epoch counter alone.
     *
     * @throws UncheckedIOException if a source cannot be opened or its header is damaged
     */
    @Override
    public BatchIterator iterator(int e) {
        if (e < 0) {
            throw new IllegalArgumentException("iterator: epoch must be >= 0, got " + e);
        }
        RecordReader reader;
        try {
            reader = format.open(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex.getMessage(), ex);
        }
        StreamingIterator it = new StreamingIterator(format.toString(), reader, batchSize, dropLast, shuffleBuffer,
                seed, e, recordCount, (batch, index) -> prepare(batch, e, index));
        return prefetch == 0 ? it : new BackgroundIterator(it, prefetch);
    }

    /** Whether the batches are augmented: evaluation refuses such a loader. */
    @Override
    public boolean augments() {
        return !augmentation.isEmpty();
    }

    /** Batch {@code index} of epoch {@code epoch} normalized, then augmented. */
    private Batch prepare(Batch batch, int epoch, int index) {
        Batch out = normalize == null ? batch : new Batch(normalize.apply(batch.features()), batch.targets());
        return augmentation.isEmpty() ? out : augmentation.apply(out, seed, epoch, index, (long) index * batchSize);
    }

    @Override
    public String toString() {
        return "StreamingLoader(" + format + ", " + (recordCount < 0 ? "unknown count" : recordCount + " records")
                + ", batchSize " + batchSize + ", shuffleBuffer " + shuffleBuffer + ", seed " + seed + ", dropLast "
                + dropLast + ", prefetch " + prefetch + (normalize == null ? "" : ", " + normalize)
                + (augments() ? ", " + augmentation : "") + ")";
    }

    /** Options for a {@link StreamingLoader}; each setter validates its argument at once. */
    public static final class Builder {
        private final RecordFormat format;
        private int batchSize = 1;
        private int shuffleBuffer;
        private long seed = Seeds.dataSeed();
        private boolean dropLast;
        private int prefetch;
        private long recordCount = -1;
        private Normalize normalize;
        private final List<Transform> sampleTransforms = new ArrayList<>();
        private final List<BatchTransform> batchTransforms = new ArrayList<>();

        private Builder(RecordFormat format) {
            this.format = format;
        }

        /**
         * Records per batch B, at least 1.
         *
         * @param batchSize records per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("StreamingLoader: batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Records held by the bounded shuffle buffer, K; 0 (the default) or 1 keeps the source
         * order. Memory grows with K; randomness too (K >= N is a full shuffle).
         *
         * @param records the buffer size K, at least 0
         * @return this builder
         */
        public Builder shuffleBuffer(int records) {
            if (records < 0) {
                throw new IllegalArgumentException("StreamingLoader: shuffleBuffer must be >= 0 records, got "
                        + records);
            }
            this.shuffleBuffer = records;
            return this;
        }

        /**
         * The seed of the shuffle; with the epoch it fixes the order completely. By default
         * {@link Seeds#dataSeed()}, which follows {@link Seeds#set(long)} as of the builder's creation.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether to skip the final batch of an epoch when it has fewer than B records.
         *
         * @param dropLast whether to skip a short final batch
         * @return this builder
         */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches decoded ahead on a background thread; 0 decodes each one on the caller's thread.
         *
         * @param prefetch batches decoded ahead, at least 0
         * @return this builder
         */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("StreamingLoader: prefetch must be >= 0 batches, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * The number of records of every pass, when the format cannot know it (CSV, binary), so
         * that {@link StreamingLoader#batchesPerEpoch()} is known; each epoch checks it.
         *
         * @param records the records of every pass
         * @return this builder
         */
        public Builder recordCount(long records) {
            if (records < 0) {
                throw new IllegalArgumentException("StreamingLoader: recordCount must be >= 0, got " + records);
            }
            this.recordCount = records;
            return this;
        }

        /**
         * Standardises every batch's features, {@code (x - mean) / std}, before any augmentation;
         * for training and evaluation alike (it is not random).
         */
        public Builder normalize(Normalize normalize) {
            this.normalize = Objects.requireNonNull(normalize, "StreamingLoader: normalize is null");
            return this;
        }

        /**
         * Per-sample transforms applied, in order, to the features of every record (appended to
         * any added before), after normalization; the seed ({@link #seed(long)}) drives them. A
         * loader with transforms {@linkplain StreamingLoader#augments() augments} and evaluation
         * refuses it.
         */
        public Builder augment(Transform... transforms) {
            for (int i = 0; i < transforms.length; i++) {
                Objects.requireNonNull(transforms[i], "StreamingLoader: augment: transforms[" + i + "] is null");
            }
            sampleTransforms.addAll(List.of(transforms));
            return this;
        }

        /** Batch-level transforms (Mixup, CutMix) applied, in order, after the per-sample ones. */
        public Builder augmentBatches(BatchTransform... transforms) {
            for (int i = 0; i < transforms.length; i++) {
                Objects.requireNonNull(transforms[i], "StreamingLoader: augmentBatches: transforms[" + i + "] is null");
            }
            batchTransforms.addAll(List.of(transforms));
            return this;
        }

        /**
         * The loader. Without a {@link #recordCount(long) stated count} it asks the format for
         * its count ({@link RecordFormat#recordCount()}, e.g. from an IDX header); with one it
         * reads nothing here, and each epoch checks the count against what its pass states and
         * holds.
         *
         * @throws UncheckedIOException if the format fails to read its count (e.g. an IDX header)
         */
        public StreamingLoader build() {
            return new StreamingLoader(this, recordCount >= 0 ? recordCount : format.recordCount());
        }
    }
}
