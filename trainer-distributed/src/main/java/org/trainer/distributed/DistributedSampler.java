package org.trainer.distributed;

import org.trainer.core.data.Sampler;
import org.trainer.core.data.Shuffle;

/**
 * One rank's shard of every epoch: the {@link Sampler} for a data-parallel job's training loader,
 * as PyTorch's {@code DistributedSampler}.
 *
 * <p>Epoch e's order is {@link Shuffle#permutation(int, long, int) permutation(N, seed, e)} (or
 * 0..N-1 without shuffle), the same on every rank since every rank has the same seed, so it is
 * also the order of a single-process {@code DataLoader} with {@code shuffle(true).seed(seed)}.
 * The order is made a multiple of the world size W, either padded by repeating its first samples
 * ({@code dropLast} false, the default: every sample is seen) or cut ({@code dropLast} true: no
 * sample twice), and rank r takes positions r, r + W, r + 2W, ... So batch b of every rank (batch
 * size B) together holds positions [bWB, (b+1)WB) of the epoch's order: exactly the samples of a
 * single process's batch b with batch size W x B, and averaging the ranks' mean-loss gradients
 * gives that batch's gradient whenever the ranks' batches are of equal size (always, as their shards are).
 */
public final class DistributedSampler implements Sampler {
    private final int datasetSize;
    private final int rank;
    private final int worldSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;

    /**
     * @param datasetSize N, the samples of the dataset the loader reads
     * @param rank        this rank, 0 to worldSize - 1
     * @param worldSize   W, the number of ranks
     * @param shuffle     whether each epoch is a fresh seeded permutation
     * @param seed        the shuffle's seed, the same on every rank
     * @param dropLast    cut the order to a multiple of W (true) or pad it by repeating its start (false)
     * @throws IllegalArgumentException for a negative size, a rank outside [0, W), W &lt; 1, or too few
     *                                  samples to give every rank one
     */
    public DistributedSampler(int datasetSize, int rank, int worldSize, boolean shuffle, long seed, boolean dropLast) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("DistributedSampler: worldSize must be >= 1, got " + worldSize);
        }
        Checks.rank("DistributedSampler", "rank", rank, worldSize);
        if (datasetSize < 0) {
            throw new IllegalArgumentException("DistributedSampler: datasetSize must be >= 0, got " + datasetSize);
        }
        if (dropLast ? datasetSize < worldSize : datasetSize == 0) {
            throw new IllegalArgumentException("DistributedSampler: datasetSize " + datasetSize + " gives rank " + rank
                    + " of " + worldSize + " no sample" + (dropLast ? " with dropLast" : ""));
        }
        this.datasetSize = datasetSize;
        this.rank = rank;
        this.worldSize = worldSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
    }

    /**
     * A shuffling, padding sampler for this context's rank and world size.
     *
     * @param datasetSize the number of samples
     * @param context this rank's context
     * @param seed the seed of the shuffle, the same on every rank
     * @return the sampler
     */
    public static DistributedSampler of(int datasetSize, DistributedContext context, long seed) {
        return new DistributedSampler(datasetSize, context.rank(), context.worldSize(), true, seed, false);
    }

    @Override
    public int[] indices(int epoch) {
        int[] order = shuffle ? Shuffle.permutation(datasetSize, seed, epoch) : Shuffle.identity(datasetSize);
        int n = length();
        int[] mine = new int[n];
        for (int j = 0; j < n; j++) {
            mine[j] = order[(rank + j * worldSize) % datasetSize];
        }
        return mine;
    }

    /** ceil(N / W), or floor(N / W) with dropLast: the same on every rank. */
    @Override
    public int length() {
        return dropLast ? datasetSize / worldSize : (datasetSize + worldSize - 1) / worldSize;
    }

    @Override
    public String toString() {
        return "DistributedSampler(rank " + rank + " of " + worldSize + ", " + datasetSize + " samples, "
                + (shuffle ? "shuffled, seed " + seed : "in order") + (dropLast ? ", dropLast" : ", padded") + ")";
    }
}
