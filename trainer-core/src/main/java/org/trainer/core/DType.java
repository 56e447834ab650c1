package org.trainer.core;

/** Element type of a tensor. float32 trains; float64 serves gradient checks; int32 holds indices. */
public enum DType {
    FLOAT32(4), FLOAT64(8), INT32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Size of one element in bytes.
     *
     * @return the size in bytes
     */
    public int bytes() {
        return bytes;
    }

    /**
     * Whether the type is a floating-point one (FLOAT32 or FLOAT64), the only ones with gradients.
     *
     * @return whether the type is floating-point
     */
    public boolean isFloating() {
        return this != INT32;
    }
}
