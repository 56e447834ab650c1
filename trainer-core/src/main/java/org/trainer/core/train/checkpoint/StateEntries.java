package org.trainer.core.train.checkpoint;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * Helpers for {@link Stateful} implementations: scalars and arrays as float64 tensors, read back
 * with the key and the expected shape checked.
 */
public final class StateEntries {
    private StateEntries() {
    }

    /**
     * A float64 scalar (exact for any double, and for whole numbers up to 2^53).
     *
     * @param v the value
     * @return the 0-d tensor
     */
    public static Tensor scalar(double v) {
        return Tensor.full(DType.FLOAT64, v);
    }

    /**
     * A float64 vector holding the values.
     *
     * @param v the values
     * @return the rank-1 tensor
     */
    public static Tensor vector(double... v) {
        return Tensor.fromArray(v.clone(), v.length);
    }

    /**
     * Checks that a state holds exactly the given keys.
     *
     * @param owner the name errors start with
     * @param state the state
     * @param keys the expected keys
     * @throws IllegalArgumentException naming the missing and unexpected keys
     */
    public static void expectKeys(String owner, Map<String, Tensor> state, Set<String> keys) {
        if (!state.keySet().equals(keys)) {
            TreeSet<String> missing = new TreeSet<>(keys);
            missing.removeAll(state.keySet());
            TreeSet<String> unexpected = new TreeSet<>(state.keySet());
            unexpected.removeAll(keys);
            throw new IllegalArgumentException(owner + ".loadStateDict: missing " + missing + ", unexpected "
                    + unexpected + " (expected " + new TreeSet<>(keys) + ")");
        }
    }

    /**
     * The values of an entry, which must have the given shape.
     *
     * @param owner the name errors start with
     * @param state the state
     * @param key the entry
     * @param shape its expected shape
     * @return the values
     */
    public static double[] read(String owner, Map<String, Tensor> state, String key, int... shape) {
        Tensor t = state.get(key);
        if (t == null) {
            throw new IllegalArgumentException(owner + ".loadStateDict: missing '" + key + "'");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(owner + ".loadStateDict: '" + key + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t.toDoubleArray();
    }

    /**
     * A scalar entry.
     *
     * @param owner the name errors start with
     * @param state the state
     * @param key the entry
     * @return the value
     */
    public static double readScalar(String owner, Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t != null && t.numel() == 1) {
            return t.toDoubleArray()[0];
        }
        read(owner, state, key); // throws with the shape named
        throw new AssertionError();
    }

    /**
     * A scalar entry holding a whole number in [0, 2^53].
     *
     * @param owner the name errors start with
     * @param state the state
     * @param key the entry
     * @return the count
     */
    public static long readCount(String owner, Map<String, Tensor> state, String key) {
        double v = readScalar(owner, state, key);
        if (!(v >= 0 && v == Math.rint(v) && v <= 0x1p53)) {
            throw new IllegalArgumentException(owner + ".loadStateDict: '" + key
                    + "' must be a whole number >= 0, got " + v);
        }
        return (long) v;
    }
}
