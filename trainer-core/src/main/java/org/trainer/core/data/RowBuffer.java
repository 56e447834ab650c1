package org.trainer.core.data;

import java.util.Arrays;

/** Growable row-major storage for the features and labels read so far. */
final class RowBuffer {
    private final int width;
    private float[] features = new float[1024];
    private float[] labels = new float[64];
    private int size;

    RowBuffer(int width) {
        this.width = width;
    }

    void add(float[] row, float label) {
        if (size == labels.length) {
            labels = Arrays.copyOf(labels, size * 2);
        }
        long need = (long) (size + 1) * width;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("CSV too large: more than " + (Integer.MAX_VALUE - 8)
                    + " feature values");
        }
        if (need > features.length) {
            features = Arrays.copyOf(features, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * features.length)));
        }
        System.arraycopy(row, 0, features, size * width, width);
        labels[size++] = label;
    }

    int size() {
        return size;
    }

    float[] features() {
        return Arrays.copyOf(features, size * width);
    }

    float[] labels() {
        return Arrays.copyOf(labels, size);
    }

    int[] labelsAsInts() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = (int) labels[i];
        }
        return out;
    }
}
