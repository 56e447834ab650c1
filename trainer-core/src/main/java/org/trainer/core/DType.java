package org.trainer.core;

/** Element type of a tensor. float32 trains; float64 serves gradient checks; int32 holds indices. */
public enum DType {
    /** 32-bit IEEE float: weights, activations and gradients in training. */
    FLOAT32(4),
    /** 64-bit IEEE float: gradient checks and numerics that need the precision. */
    FLOAT64(8),
    /** 32-bit signed integer: class labels and indices. */
    INT32(4);

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
