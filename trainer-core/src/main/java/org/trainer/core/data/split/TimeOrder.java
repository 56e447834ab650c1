package org.trainer.core.data.split;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/** The sample indices sorted by time, after refusing a time that is NaN or infinite. */
final class TimeOrder {
    private TimeOrder() {
    }

    /** Indices 0..n-1 ordered by {@code times}, stably (equal times keep their sample order). */
    static int[] of(String op, double[] times) {
        Objects.requireNonNull(times, "times");
        if (times.length == 0) {
            throw new IllegalArgumentException(op + ": times is empty, expected at least one sample");
        }
        for (int i = 0; i < times.length; i++) {
            if (!Double.isFinite(times[i])) {
                throw new IllegalArgumentException(op + ": times[" + i + "] is " + times[i]
                        + ", expected a finite time");
            }
        }
        return sorted(times);
    }

    private static int[] sorted(double[] times) {
        Integer[] idx = new Integer[times.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> times[i])); // merge sort: stable
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
