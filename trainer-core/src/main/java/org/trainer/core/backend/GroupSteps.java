package org.trainer.core.backend;

/**
 * The argument checks of {@link Backend#sgdSteps} and {@link Backend#adamSteps}, shared by every
 * backend: each array holds one storage per parameter of the group, so all have w's length, and
 * no entry is null; an optional array (momentum buffers, AMSGrad maxima) is null as a whole or full.
 */
public final class GroupSteps {
    private GroupSteps() {
    }

    /** Refuses arrays of the SGD group step that differ from w in length or hold a null entry. */
    public static void checkSgd(Storage[] w, Storage[] g, Storage[] buf) {
        checkWeights("sgdSteps", w);
        check("sgdSteps", "g", g, w.length);
        if (buf != null) {
            check("sgdSteps", "buf", buf, w.length);
        }
    }

    /** Refuses arrays of the Adam group step that differ from w in length or hold a null entry. */
    public static void checkAdam(Storage[] w, Storage[] g, Storage[] m, Storage[] v, Storage[] vMax) {
        checkWeights("adamSteps", w);
        check("adamSteps", "g", g, w.length);
        check("adamSteps", "m", m, w.length);
        check("adamSteps", "v", v, w.length);
        if (vMax != null) {
            check("adamSteps", "vMax", vMax, w.length);
        }
    }

    private static void checkWeights(String op, Storage[] w) {
        if (w == null) {
            throw new IllegalArgumentException(op + ": w must be an array of storages, got null");
        }
        check(op, "w", w, w.length);
    }

    private static void check(String op, String name, Storage[] a, int expected) {
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
        }
    }
}
