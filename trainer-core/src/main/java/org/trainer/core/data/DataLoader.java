package org.trainer.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

import org.trainer.core.nn.Seeds;

/**
 * Splits a dataset into batches, epoch after epoch: the {@code Dataset -> DataLoader -> Trainer}
 * step of the data flow.
 *
 * <p><b>Order.</b> Without shuffle every epoch visits samples 0 to N-1 in order. With shuffle,
 * epoch e visits them in the order {@link Shuffle#permutation(int, long, int) permutation(N, seed,
 * e)}: a pure function of (seed, e), different from epoch to epoch, identical from run to run.
 * Either way each sample appears exactly once per epoch (except the dropped tail, below). With a
 * {@link Sampler} epoch e visits {@code sampler.indices(e)} instead, and N is the sampler's length.
 *
 * <p><b>Batches.</b> Batch b holds positions [b*B, min((b+1)*B, N)) of the epoch's order, B being
 * the batch size. Iterations per epoch = ceil(N / B); with {@code dropLast} the short final batch
 * is skipped and it is floor(N / B). Over E epochs, total iterations = E x iterations per epoch
 * (for a schedule's length); see {@link #batchesPerEpoch()}.
 *
 * <p><b>Epochs.</b> The loader keeps an epoch counter, starting at 0: each {@link #iterator()}
 * call serves the current epoch and then advances the counter, so {@code for (Batch b : loader)}
 * inside an epoch loop shuffles afresh each time. {@link #setEpoch(int)} moves the counter (to
 * resume from a checkpoint); {@link #iterator(int)} serves any epoch without touching it. The
 * counter is not synchronised: one thread drives a loader.
 *
 * <p><b>Prefetch.</b> With {@code prefetch} k >= 1 a background daemon thread builds up to k
 * batches ahead while the consumer trains on the current one. The batches and their order are
 * exactly those of {@code prefetch(0)}; exceptions from the dataset reach the consumer at the
 * batch that failed. The thread ends with the epoch, on {@link BatchIterator#close()}, or once an
 * abandoned iterator is garbage collected.
 *
 * <p><b>Workers.</b> With {@code workers} n >= 1, n background daemon threads load and augment
 * batches in parallel, up to max(prefetch, n) batches ahead. The batches and their order are
 * exactly those of a single thread: batch b is a pure function of (seed, epoch, b), whichever thread
 * builds it, and the consumer receives them in order. With {@code workers(0)} (the default) a
 * positive {@code prefetch} uses one background thread, as above.
 *
 * <p><b>Augmentation.</b> {@link Builder#augment(Transform...)} adds per-sample transforms and
 * {@link Builder#augmentBatches(BatchTransform...)} batch-level ones (Mixup, CutMix); see
 * {@link AugmentPipeline}. The sample at position p of epoch e draws its randomness from a stream
 * keyed by (seed, e, p) alone, never from a shared generator, so an augmented epoch is as
 * reproducible as an unaugmented one, for any number of workers. A loader that augments reports
 * {@link #augments()} and is refused by evaluation ({@code Trainer.evaluate}, {@code predict}, the
 * validation loader of {@code fit}): build a separate loader without augmentation for those.
 */
public final class DataLoader extends EpochCounter {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final Sampler sampler;
    private final int workers;
    private final AugmentPipeline augmentation;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.sampler = b.sampler;
        this.workers = b.workers;
        this.augmentation = new AugmentPipeline(b.sampleTransforms, b.batchTransforms);
    }

    /** A builder with batch size 1, no shuffle, the seed of Seeds.dataSeed(), no drop-last and no prefetch. */
    public static Builder builder(Dataset dataset) {
        return new Builder(Objects.requireNonNull(dataset, "dataset"));
    }

    /**
     * The dataset the batches are drawn from.
     *
     * @return the dataset
     */
    public Dataset dataset() {
        return dataset;
    }

    /**
     * The number of samples per batch (the last batch of an epoch may be smaller unless dropLast).
     *
     * @return the batch size B
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Iterations per epoch: ceil(N / B), or floor(N / B) with {@code dropLast}, for N samples and
     * batch size B. Zero for an empty dataset (or N &lt; B with dropLast).
     */
    @Override
    public int batchesPerEpoch() {
        int n = sampler == null ? dataset.size() : sampler.length();
        return batchCount(n, batchSize, dropLast);
    }

    /** The batches of epoch {@code e}, leaving the epoch counter alone. */
    @Override
    public BatchIterator iterator(int e) {
        return open(plan(e), e, 0);
    }

    /** Batches {@code from} to the end of the epoch's plan, built on the caller's thread or by the workers. */
    private BatchIterator open(int[][] plan, int e, int from) {
        IntFunction<Batch> all = batches(plan, e);
        IntFunction<Batch> make = from == 0 ? all : b -> all.apply(from + b);
        int count = plan.length - from;
        int threads = workers > 0 ? workers : prefetch > 0 ? 1 : 0;
        return threads == 0 ? new SequentialIterator(make, count, freshBatches())
                : new PrefetchIterator(make, count, Math.max(prefetch, threads), threads);
    }

    /**
     * Whether a batch built on the consumer's thread is new memory that nothing else keeps: true of
     * an in-memory {@link TensorDataset} without augmentation, whose batches are gathered copies.
     * Another dataset might keep what it returns (a cache), so its batches are never recycled.
     */
    private boolean freshBatches() {
        return dataset instanceof TensorDataset && augmentation.isEmpty();
    }

    /** Whether this loader changes its samples at random (per-sample or batch transforms). */
    @Override
    public boolean augments() {
        return !augmentation.isEmpty();
    }

    /** Batch number -> the loaded (and augmented) batch: a pure function, safe on any thread. */
    private IntFunction<Batch> batches(int[][] plan, int e) {
        if (augmentation.isEmpty()) {
            return b -> dataset.get(plan[b]);
        }
        long[] first = new long[plan.length];
        for (int b = 1; b < plan.length; b++) {
            first[b] = first[b - 1] + plan[b - 1].length;
        }
        return b -> augmentation.apply(dataset.get(plan[b]), seed, e, b, first[b]);
    }

    /**
     * The batches of epoch {@code e} from batch {@code fromBatch} on (0 &lt;= fromBatch &lt;=
     * {@link #batchesPerEpoch()}), skipping the first ones without building them: for a run resumed
     * mid-epoch.
     */
    @Override
    public BatchIterator iterator(int e, int fromBatch) {
        int[][] plan = plan(e);
        if (fromBatch < 0 || fromBatch > plan.length) {
            throw new IllegalArgumentException("iterator: fromBatch must be in [0, " + plan.length + "] (the batches of "
                    + "epoch " + e + "), got " + fromBatch);
        }
        // Batch b keeps its place in the whole epoch, so its augmentation stream is the one it had.
        return open(plan, e, fromBatch);
    }

    /**
     * The sample indices of every batch of epoch {@code e}, in order: what the iterator will fetch.
     *
     * @param e the epoch, from 0
     * @return one array of sample indices per batch
     */
    public int[][] plan(int e) {
        if (e < 0) {
            throw new IllegalArgumentException("plan: epoch must be >= 0, got " + e);
        }
        int[] order = sampler != null ? sampled(e) : shuffle ? Shuffle.permutation(dataset.size(), seed, e)
                : Shuffle.identity(dataset.size());
        int n = order.length;
        int[][] batches = new int[batchesPerEpoch()][];
        for (int b = 0; b < batches.length; b++) {
            int from = b * batchSize;
            batches[b] = Arrays.copyOfRange(order, from, Math.min(from + batchSize, n));
        }
        return batches;
    }

    /** The sampler's indices for epoch e, checked against its length and the dataset's size. */
    private int[] sampled(int e) {
        int[] order = sampler.indices(e);
        if (order.length != sampler.length()) {
            throw new IllegalStateException("DataLoader: " + sampler + " gave " + order.length + " indices for epoch " + e
                    + ", expected its length " + sampler.length());
        }
        for (int j = 0; j < order.length; j++) {
            if (order[j] < 0 || order[j] >= dataset.size()) {
                throw new IllegalStateException("DataLoader: " + sampler + " gave index " + order[j] + " at position " + j
                        + " of epoch " + e + ", expected 0 to " + (dataset.size() - 1));
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "DataLoader(" + dataset.size() + " samples, batchSize " + batchSize + ", shuffle " + shuffle
                + ", seed " + seed + ", dropLast " + dropLast + ", prefetch " + prefetch + ", workers " + workers
                + (sampler == null ? "" : ", sampler " + sampler) + (augments() ? ", " + augmentation : "") + ")";
    }

    /** Options for a {@link DataLoader}; each setter validates its argument at once. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed = Seeds.dataSeed();
        private boolean dropLast;
        private int prefetch;
        private Sampler sampler;
        private int workers;
        private final List<Transform> sampleTransforms = new ArrayList<>();
        private final List<BatchTransform> batchTransforms = new ArrayList<>();

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        /**
         * Samples per batch B, at least 1.
         *
         * @param batchSize samples per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Whether each epoch visits the samples in a fresh seeded random order.
         *
         * @param shuffle whether to shuffle each epoch
         * @return this builder
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
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
         * Whether to skip the final batch of an epoch when it has fewer than B samples.
         *
         * @param dropLast whether to skip a short final batch
         * @return this builder
         */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches built ahead on a background thread (or on the {@link #workers(int) workers});
         * 0 without workers builds each one on the caller's thread.
         *
         * @param prefetch batches built ahead, at least 0
         * @return this builder
         */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be >= 0 batches, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * The order of each epoch's samples, in place of plain or shuffled order; its length sets the
         * epoch's length. Cannot be combined with {@code shuffle(true)}.
         *
         * @param sampler the sampler that orders each epoch's samples
         * @return this builder
         */
        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        /**
         * Background threads that load and augment batches in parallel; 0 (the default) uses one
         * when {@code prefetch} is positive and none otherwise. The batches do not depend on it.
         *
         * @param workers background threads, at least 0
         * @return this builder
         */
        public Builder workers(int workers) {
            if (workers < 0) {
                throw new IllegalArgumentException("DataLoader: workers must be >= 0 threads, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Per-sample transforms applied, in order, to the features of every training sample
         * (appended to any added before). The seed ({@link #seed(long)}) drives them. A loader with
         * transforms {@linkplain DataLoader#augments() augments} and evaluation refuses it.
         *
         * @param transforms the per-sample transforms to append
         * @return this builder
         */
        public Builder augment(Transform... transforms) {
            for (int i = 0; i < transforms.length; i++) {
                Objects.requireNonNull(transforms[i], "DataLoader: augment: transforms[" + i + "] is null");
            }
            sampleTransforms.addAll(List.of(transforms));
            return this;
        }

        /**
         * Batch-level transforms (e.g. {@link org.trainer.core.data.augment.Mixup},
         * {@link org.trainer.core.data.augment.CutMix}) applied, in order, to each batch after the
         * per-sample ones (appended to any added before).
         *
         * @param transforms the batch transforms to append
         * @return this builder
         */
        public Builder augmentBatches(BatchTransform... transforms) {
            for (int i = 0; i < transforms.length; i++) {
                Objects.requireNonNull(transforms[i], "DataLoader: augmentBatches: transforms[" + i + "] is null");
            }
            batchTransforms.addAll(List.of(transforms));
            return this;
        }

        /**
         * The loader; throws IllegalArgumentException when both {@code shuffle(true)} and a sampler were set.
         *
         * @return the loader
         */
        public DataLoader build() {
            if (sampler != null && shuffle) {
                throw new IllegalArgumentException("DataLoader: shuffle(true) and sampler(" + sampler + ") both set the"
                        + " sample order; use one (a sampler draws its own random order)");
            }
            return new DataLoader(this);
        }
    }
}
