package org.trainer.distributed;

/** Argument checks shared by the collectives, with messages that name the argument and the value. */
final class Checks {
    private Checks() {
    }

    static void range(String op, int arrayLength, int offset, int length) {
        if (offset < 0 || length < 0 || offset > arrayLength - length) {
            throw new IllegalArgumentException(op + ": offset " + offset + " and length " + length
                    + " do not fit an array of " + arrayLength + " elements");
        }
    }

    static void rank(String op, String argument, int rank, int world) {
        if (rank < 0 || rank >= world) {
            throw new IllegalArgumentException(op + ": " + argument + " must be a rank in [0, " + world + "), got " + rank);
        }
    }

    static String dtype(Class<?> arrayType) {
        return arrayType == float[].class ? "float32" : arrayType == double[].class ? "float64" : arrayType.getSimpleName();
    }
}
