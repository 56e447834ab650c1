package org.trainer.bench;

import java.util.Arrays;
import java.util.List;

/** The order statistics the harnesses report. */
final class Stats {

    private Stats() {
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double median(List<Double> v) {
        return median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
