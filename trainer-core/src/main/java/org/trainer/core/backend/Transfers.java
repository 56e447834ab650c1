package org.trainer.core.backend;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/** The argument checks of {@link Backend#read} and {@link Backend#copyFrom}, shared by every backend. */
public final class Transfers {
    private Transfers() {
    }

    /**
     * Refuses a buffer whose element type does not match the storage's dtype or that has too little room.
     *
     * @param s the storage
     * @param dst the buffer
     */
    public static void checkBuffer(Storage s, Buffer dst) {
        checkBuffer("read", "dst", s, dst);
    }

    /**
     * {@link #checkBuffer(Storage, Buffer)} for {@code op}'s buffer argument named {@code argument}.
     *
     * @param op the operation's name, for the message
     * @param argument the argument's name, for the message
     * @param s the storage
     * @param dst the buffer
     */
    public static void checkBuffer(String op, String argument, Storage s, Buffer dst) {
        Class<? extends Buffer> expected = switch (s.dtype()) {
            case FLOAT32 -> FloatBuffer.class;
            case FLOAT64 -> DoubleBuffer.class;
            case INT32 -> IntBuffer.class;
        };
        if (!expected.isInstance(dst)) {
            throw new IllegalArgumentException(op + ": " + argument + " must be a " + expected.getSimpleName() + " for a "
                    + s.dtype() + " storage, got " + (dst == null ? "null" : dst.getClass().getSimpleName()));
        }
        if (dst.remaining() < s.size()) {
            throw new IllegalArgumentException(op + ": " + argument + " has " + dst.remaining() + " elements remaining, the storage has "
                    + s.size());
        }
    }

    /**
     * Refuses a copy between storages of different dtypes or sizes.
     *
     * @param src the source
     * @param dst the destination
     */
    public static void checkCopy(Storage src, Storage dst) {
        if (src.dtype() != dst.dtype() || src.size() != dst.size()) {
            throw new IllegalArgumentException("copyFrom: src is " + src.size() + " x " + src.dtype() + ", dst is "
                    + dst.size() + " x " + dst.dtype() + "; they must match");
        }
    }
}
