package org.trainer.hpo;

import java.util.Map;
import java.util.TreeMap;

/** Builders of frozen trials for tests. */
final class Trials {
    private Trials() {
    }

    static FrozenTrial complete(int number, double value, Map<String, Object> params, double... intermediate) {
        return new FrozenTrial(number, TrialState.COMPLETE, params, value, steps(intermediate), null);
    }

    static FrozenTrial of(int number, TrialState state, double... intermediate) {
        return new FrozenTrial(number, state, Map.of(), null, steps(intermediate), state == TrialState.FAILED ? "boom" : null);
    }

    /** Values at steps 1, 2, ... */
    static TreeMap<Integer, Double> steps(double... values) {
        TreeMap<Integer, Double> m = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(i + 1, values[i]);
        }
        return m;
    }

    static double[] constant(double v, int steps) {
        double[] a = new double[steps];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
