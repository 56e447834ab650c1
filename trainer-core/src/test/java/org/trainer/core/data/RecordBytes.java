package org.trainer.core.data;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

import org.trainer.core.Tensor;

/** Little-endian float32 records for streaming tests, and a source that counts its opens and closes. */
final class RecordBytes {
    private RecordBytes() {
    }

    /** n records of 2 features and a class label: record i is [i, -i] with label i, as {@link #numberedDataset}. */
    static byte[] numbered(int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 12).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i).putFloat(-i).putFloat(i);
        }
        return b.array();
    }

    /** The same samples in memory: features [n, 2], int32 labels [n]. */
    static TensorDataset numberedDataset(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 2), Tensor.fromArray(y, n));
    }

    /** A source over {@code bytes} that counts how often it was opened and how many of its streams were closed. */
    static final class Counting implements RecordSource {
        final byte[] bytes;
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        private final String name;

        Counting(String name, byte[] bytes) {
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public InputStream open() {
            opens.incrementAndGet();
            return new FilterInputStream(new ByteArrayInputStream(bytes)) {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        closes.incrementAndGet();
                    }
                    super.close();
                }
            };
        }
    }
}
