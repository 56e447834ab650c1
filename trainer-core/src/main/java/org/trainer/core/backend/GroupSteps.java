package org.trainer.core.backend;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The argument checks of {@link Fused.Sgd#sgdSteps} and {@link Fused.Adam#adamSteps}, shared by every
 * backend: each array holds one storage per parameter of the group, so all have w's length, and
 * no entry is null; an optional array (momentum buffers, AMSGrad maxima) is null as a whole or full;
 * each parameter's storages have w's dtype and size; and no storage appears twice among those the
 * step writes (a kernel updating all parameters at once would write it twice in one pass).
 */
public final class GroupSteps {
    private GroupSteps() {
    }

    /**
     * Refuses arrays of the SGD group step that differ from w in length or hold a null entry.
     *
     * @param w the parameters
     * @param g their gradients
     * @param buf their momentum buffers, or null
     */
    public static void checkSgd(Storage[] w, Storage[] g, Storage[] buf) {
        checkWeights("sgdSteps", w);
        check("sgdSteps", "g", g, w);
        if (buf != null) {
            check("sgdSteps", "buf", buf, w);
        }
        distinct("sgdSteps", w, buf);
    }

    /**
     * Refuses arrays of the Adam group step that differ from w in length or hold a null entry.
     *
     * @param w the parameters
     * @param g their gradients
     * @param m their first moments
     * @param v their second moments
     * @param vMax their maxima, or null
     */
    public static void checkAdam(Storage[] w, Storage[] g, Storage[] m, Storage[] v, Storage[] vMax) {
        checkWeights("adamSteps", w);
        check("adamSteps", "g", g, w);
        check("adamSteps", "m", m, w);
        check("adamSteps", "v", v, w);
        if (vMax != null) {
            check("adamSteps", "vMax", vMax, w);
        }
        distinct("adamSteps", w, m, v, vMax);
    }

    private static void checkWeights(String op, Storage[] w) {
        if (w == null) {
            throw new IllegalArgumentException(op + ": w must be an array of storages, got null");
        }
        check(op, "w", w, null);
    }

    /** Refuses a storage that two written lists (or two parameters) share. */
    private static void distinct(String op, Storage[]... written) {
        Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Storage[] list : written) {
            if (list == null) {
                continue;
            }
            for (int i = 0; i < list.length; i++) {
                if (!seen.add(list[i])) {
                    throw new IllegalArgumentException(op + ": the storage of parameter " + i + " (" + list[i]
                            + ") is written twice in one step; parameters of a group must not share memory");
                }
            }
        }
    }

    /** {@code weights} null: checks w itself; else each entry must match the weight's dtype and size. */
    private static void check(String op, String name, Storage[] a, Storage[] weights) {
        int expected = weights == null ? a == null ? 0 : a.length : weights.length;
        if (a == null) {
            throw new IllegalArgumentException(op + ": " + name + " must be an array of " + expected
                    + " storages, got null");
        }
        if (a.length != expected) {
            throw new IllegalArgumentException(op + ": " + name + " has " + a.length + " storages, w has " + expected
                    + "; they must match");
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null) {
                throw new IllegalArgumentException(op + ": " + name + "[" + i
                        + "] is null; every entry must be a storage");
            }
            if (weights != null && (a[i].dtype() != weights[i].dtype() || a[i].size() != weights[i].size())) {
                throw new IllegalArgumentException(op + ": " + name + "[" + i + "] is " + a[i].size() + " x "
                        + a[i].dtype() + ", w[" + i + "] is " + weights[i].size() + " x " + weights[i].dtype()
                        + "; they must match");
            }
        }
    }
}
