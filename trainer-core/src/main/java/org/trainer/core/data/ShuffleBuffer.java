package org.trainer.core.data;

import java.io.IOException;

import org.trainer.core.SplitMix64;

/**
 * A bounded shuffle of a record stream, as tf.data's {@code shuffle(buffer_size)}: the buffer
 * holds up to {@code capacity} records; each output is a uniformly chosen buffered record, whose
 * slot is then refilled with the next record of the stream. Once the stream ends the buffer drains.
 *
 * <p>Every record comes out exactly once. Memory is capacity x (features + targets) floats,
 * whatever the length of the stream, and a record can come out at most capacity - 1 positions
 * earlier than it went in (the shuffle is local: a buffer of the whole stream is a full uniform
 * shuffle). The choices come from SplitMix64 seeded with {@code seed ^ mix64(epoch)}, as in
 * {@link Shuffle#permutation}, so the order is a pure function of (stream, seed, epoch). With
 * capacity 1 no choice is drawn and records come out in stream order.
 */
final class ShuffleBuffer {
    private final RecordReader reader;
    private final int capacity;
    private final int featureSize;
    private final int targetSize;
    private final float[] features;
    private final float[] targets;
    private final SplitMix64 rng;
    private int size;
    private boolean exhausted;
    private long readCount;

    ShuffleBuffer(RecordReader reader, int capacity, int featureSize, int targetSize, long seed, int epoch) {
        long floats = (long) capacity * (featureSize + targetSize);
        if (floats > Integer.MAX_VALUE - 8L) {
            throw new IllegalArgumentException("StreamingLoader: a shuffle buffer of " + capacity + " records of "
                    + featureSize + " features and " + targetSize + " targets needs " + floats
                    + " floats, more than one array holds (" + (Integer.MAX_VALUE - 8) + ")");
        }
        this.reader = reader;
        this.capacity = capacity;
        this.featureSize = featureSize;
        this.targetSize = targetSize;
        this.features = new float[capacity * featureSize];
        this.targets = new float[capacity * targetSize];
        this.rng = capacity > 1 ? new SplitMix64(seed ^ SplitMix64.mix64(epoch)) : null;
    }

    /** Records taken from the stream so far (those emitted plus those buffered). */
    long readCount() {
        return readCount;
    }

    /** Records in the buffer now, at most the capacity. */
    int buffered() {
        return size;
    }

    /**
     * Moves the next record of the shuffled order into row {@code row} of the batch arrays.
     *
     * @return false when every record of the stream has been emitted
     */
    boolean emit(float[] batchFeatures, float[] batchTargets, int row) throws IOException {
        while (size < capacity && !exhausted) {
            if (readInto(size)) {
                size++;
            }
        }
        if (size == 0) {
            return false;
        }
        int j = size == 1 ? 0 : rng.nextInt(size);
        System.arraycopy(features, j * featureSize, batchFeatures, row * featureSize, featureSize);
        System.arraycopy(targets, j * targetSize, batchTargets, row * targetSize, targetSize);
        if (exhausted || !readInto(j)) {
            // The stream has ended: the last buffered record fills the hole and the buffer shrinks.
            size--;
            System.arraycopy(features, size * featureSize, features, j * featureSize, featureSize);
            System.arraycopy(targets, size * targetSize, targets, j * targetSize, targetSize);
        }
        return true;
    }

    private boolean readInto(int slot) throws IOException {
        if (reader.read(features, slot * featureSize, targets, slot * targetSize)) {
            readCount++;
            return true;
        }
        exhausted = true;
        return false;
    }
}
