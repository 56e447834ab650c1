package org.trainer.core.nn;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;

/**
 * A trainable tensor of a module. The value is a leaf that requires grad while the parameter is
 * trainable; optimizers update it in place, so modules always read {@link #value()} afresh.
 */
public final class Parameter {
    private Tensor value;
    private boolean trainable = true;

    /**
     * A trainable parameter holding {@code initial} detached from any graph and marked as requiring gradients.
     *
     * @param initial the initial value (floating)
     */
    public Parameter(Tensor initial) {
        this.value = initial.detach().requiresGrad(true);
    }

    /**
     * The current value (a leaf tensor).
     *
     * @return the value
     */
    public Tensor value() {
        return value;
    }

    /**
     * The accumulated gradient, or null before the first backward pass.
     *
     * @return the gradient, or null
     */
    public Tensor grad() {
        return value.grad();
    }

    /**
     * Replaces the value (same shape), e.g. when loading weights; the gradient is dropped.
     *
     * @param newValue the new value, of the same shape (IllegalArgumentException otherwise)
     */
    public void set(Tensor newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("Parameter.set: shape " + java.util.Arrays.toString(newValue.shape())
                    + " differs from the parameter's " + java.util.Arrays.toString(value.shape()) + " (a parameter does"
                    + " not know its name: load by name with Module.loadStateDict or Safetensors.load, whose errors"
                    + " name the parameter and the file)");
        }
        // A parameter outlives any training step: its memory never comes from a step's scope.
        try (MemoryScope keep = MemoryScope.persistent()) {
            this.value = newValue.detach().to(value.dtype()).to(value.device()).copy().detach()
                    .requiresGrad(trainable);
        }
    }

    /**
     * Moves the value to a device (a no-op when it is there); the gradient is dropped.
     *
     * @param device the target device
     */
    public void to(org.trainer.core.Device device) {
        if (!value.device().equals(device)) {
            try (MemoryScope keep = MemoryScope.persistent()) {
                this.value = value.to(device).requiresGrad(trainable);
            }
        }
    }

    /**
     * Converts the value to a floating dtype (a no-op when it has it), e.g. float64 for a gradient
     * check or a reference comparison; the gradient is dropped.
     *
     * @param dtype FLOAT32 or FLOAT64
     * @throws IllegalArgumentException if dtype is not floating
     */
    public void to(org.trainer.core.DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Parameter.to: dtype must be floating, got " + dtype);
        }
        if (value.dtype() != dtype) {
            try (MemoryScope keep = MemoryScope.persistent()) {
                this.value = value.detach().to(dtype).copy().detach().requiresGrad(trainable);
            }
        }
    }

    /**
     * Whether the parameter gets gradients and updates (false once frozen).
     *
     * @return whether the parameter is trainable
     */
    public boolean isTrainable() {
        return trainable;
    }

    /**
     * Freezes (false) or unfreezes (true) the parameter: a frozen one gets no gradient.
     *
     * @param trainable false to freeze, true to unfreeze
     */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        value.requiresGrad(trainable);
    }

    /**
     * The number of elements of the value.
     *
     * @return the number of elements
     */
    public int numel() {
        return value.numel();
    }

    /** Clears the gradient of the value (see {@link Tensor#zeroGrad()}). */
    public void zeroGrad() {
        value.zeroGrad();
    }
}
