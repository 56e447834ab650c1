package org.trainer.core.data;

import java.io.IOException;
import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Shapes;

/** Reads every record of one pass into memory: a format's "file mode". */
final class AllRecords {
    private static final long MAX = Integer.MAX_VALUE - 8L;

    private AllRecords() {
    }

    static TensorDataset read(RecordFormat format) throws IOException {
        try (RecordReader reader = format.open()) {
            int[] featureShape = reader.featureShape().clone();
            int[] targetShape = reader.targetShape().clone();
            int f = Shapes.numel(Shapes.check("readAll featureShape", featureShape));
            int t = Shapes.numel(Shapes.check("readAll targetShape", targetShape));
            float[] x = new float[Math.max(1, 64 * f)];
            float[] y = new float[Math.max(1, 64 * t)];
            int n = 0;
            while (true) {
                long need = (long) (n + 1) * Math.max(f, t);
                if (need > MAX) {
                    throw new IllegalArgumentException(format + ": more than " + n + " records of " + f + " features"
                            + " do not fit in one tensor (" + MAX + " elements); stream them with a StreamingLoader");
                }
                if ((long) (n + 1) * f > x.length) {
                    x = Arrays.copyOf(x, (int) Math.min(MAX, 2L * x.length));
                }
                if ((long) (n + 1) * t > y.length) {
                    y = Arrays.copyOf(y, (int) Math.min(MAX, 2L * y.length));
                }
                if (!reader.read(x, n * f, y, n * t)) {
                    break;
                }
                n++;
            }
            Batch all = StreamingIterator.batch(n, Arrays.copyOf(x, n * f), featureShape, Arrays.copyOf(y, n * t),
                    targetShape, reader.targetType() == DType.INT32);
            return new TensorDataset(all.features(), all.targets());
        }
    }
}
