package org.trainer.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.NoSuchElementException;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * The batches of one pass of a {@link StreamingLoader}, decoded on the consumer's thread: records
 * come from the {@link RecordReader} through the {@link ShuffleBuffer} and are packed B at a time.
 * One batch is built ahead so that {@link #hasNext()} can tell a short final batch that
 * {@code dropLast} skips from the end of the stream.
 *
 * <p>The reader is closed at the end of the pass, on {@link #close()}, after an error, or, for an
 * iterator abandoned without close, once the garbage collector finds it unreachable.
 */
final class StreamingIterator implements BatchIterator {

    private final String name;
    private final RecordReader reader;
    private final Cleaner.Cleanable cleanable;
    private final int batchSize;
    private final boolean dropLast;
    private final long expectedCount;
    private final int[] featureShape;
    private final int[] targetShape;
    private final boolean classes;
    private final int featureSize;
    private final int targetSize;
    private final ShuffleBuffer buffer;
    private final float[] batchFeatures;
    private final float[] batchTargets;
    private final Prepare prepare;
    private Batch pending;
    private int built;
    private long emitted;
    private boolean done;

    /**
     * Takes ownership of {@code reader}: it is closed here, also when this constructor throws.
     *
     * @param expectedCount the number of records the pass must hold, or -1 when unknown
     * @param prepare       what is done to each batch once packed (normalization, augmentation)
     */
    StreamingIterator(String name, RecordReader reader, int batchSize, boolean dropLast, int shuffleBuffer,
                      long seed, int epoch, long expectedCount, Prepare prepare) {
        this.name = name;
        this.reader = reader;
        this.prepare = prepare;
        this.cleanable = WorkerFailure.CLEANER.register(this, new Closer(reader));
        try {
            this.batchSize = batchSize;
            this.dropLast = dropLast;
            this.expectedCount = expectedCount;
            this.featureShape = reader.featureShape().clone();
            this.targetShape = reader.targetShape().clone();
            DType type = reader.targetType();
            if (type != DType.INT32 && type != DType.FLOAT32) {
                throw new IllegalArgumentException(name + ": targetType must be INT32 or FLOAT32, got " + type);
            }
            this.classes = type == DType.INT32;
            long stated = reader.recordCount();
            if (expectedCount >= 0 && stated >= 0 && stated != expectedCount) {
                throw new IllegalStateException(name + ": states " + stated + " records, expected " + expectedCount
                        + " (recordCount); the source changed or the count is wrong");
            }
            this.featureSize = Shapes.numel(Shapes.check("StreamingLoader featureShape", featureShape));
            this.targetSize = Shapes.numel(Shapes.check("StreamingLoader targetShape", targetShape));
            if ((long) batchSize * featureSize > Integer.MAX_VALUE - 8L) {
                throw new IllegalArgumentException("StreamingLoader: a batch of " + batchSize + " records of "
                        + featureSize + " features has more elements than one tensor holds");
            }
            this.buffer = new ShuffleBuffer(reader, Math.max(1, shuffleBuffer), featureSize, targetSize, seed, epoch);
            this.batchFeatures = new float[batchSize * featureSize];
            this.batchTargets = new float[batchSize * targetSize];
        } catch (RuntimeException e) {
            cleanable.clean();
            throw e;
        }
    }

    /** Records taken from the reader so far, for tests of the buffer's bound. */
    long readCount() {
        return buffer.readCount();
    }

    /** Records handed out in batches so far. */
    long emitted() {
        return emitted;
    }

    @Override
    public boolean hasNext() {
        if (done) {
            return false;
        }
        if (pending == null) {
            try {
                pending = build();
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e.getMessage(), e);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
            if (pending == null) {
                close();
                return false;
            }
        }
        return true;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("StreamingLoader: the epoch has ended (" + emitted + " records)");
        }
        Batch b = pending;
        pending = null;
        return b;
    }

    @Override
    public void close() {
        done = true;
        pending = null;
        cleanable.clean(); // closes the reader at most once
    }

    private Batch build() throws IOException {
        int n = 0;
        while (n < batchSize && buffer.emit(batchFeatures, batchTargets, n)) {
            n++;
            if (expectedCount >= 0 && emitted + n > expectedCount) {
                throw new IllegalStateException(name + ": holds more than the " + expectedCount
                        + " records stated (recordCount); the source changed or the count is wrong");
            }
        }
        emitted += n;
        if (n < batchSize) {
            if (expectedCount >= 0 && emitted != expectedCount) {
                throw new IllegalStateException(name + ": ended after " + emitted + " records, expected "
                        + expectedCount + " (recordCount); the source changed or the count is wrong");
            }
            if (n == 0 || dropLast) {
                return null;
            }
        }
        float[] x = n == batchSize ? batchFeatures : Arrays.copyOf(batchFeatures, n * featureSize);
        float[] y = n == batchSize ? batchTargets : Arrays.copyOf(batchTargets, n * targetSize);
        return prepare.apply(batch(n, x, featureShape, y, targetShape, classes), built++);
    }

    /** What is done to batch {@code index} of the pass once it is packed. */
    @FunctionalInterface
    interface Prepare {
        Batch apply(Batch batch, int index);
    }

    /**
     * n records as a batch: features [n, ...featureShape] from {@code x}, targets [n, ...targetShape]
     * from {@code y}, as int32 when {@code classes}. The arrays are copied.
     */
    static Batch batch(int n, float[] x, int[] featureShape, float[] y, int[] targetShape, boolean classes) {
        Tensor features = Tensor.fromArray(x, prepend(n, featureShape));
        if (!classes) {
            return new Batch(features, Tensor.fromArray(y, prepend(n, targetShape)));
        }
        int[] labels = new int[y.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) y[i];
        }
        return new Batch(features, Tensor.fromArray(labels, prepend(n, targetShape)));
    }

    private static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** Closes the reader; refers to the reader only, so that it cannot keep the iterator reachable. */
    private record Closer(RecordReader reader) implements Runnable {
        @Override
        public void run() {
            try {
                reader.close();
            } catch (IOException | RuntimeException e) {
                // Nothing to report to: the pass is over and its data was delivered or abandoned.
            }
        }
    }
}
