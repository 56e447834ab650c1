package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;

/**
 * The state an optimizer keeps for one parameter: named buffers shaped like the parameter (in its
 * dtype and on its device), and the number of steps it has taken. Created on the parameter's first
 * update, saved and restored with the optimizer's {@code stateDict()}; an update writes the buffers
 * in place.
 */
public final class ParameterState {
    private final List<String> names;
    private final Tensor[] buffers;
    private long step;
    private boolean fresh;

    ParameterState(List<String> names, Tensor[] buffers, long step, boolean fresh) {
        this.names = names;
        this.buffers = buffers;
        this.step = step;
        this.fresh = fresh;
    }

    /** The buffer with this name (one of the optimizer's bufferNames for the parameter's group). */
    public Tensor buffer(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("ParameterState: no buffer named '" + name + "', expected one of "
                    + names);
        }
        return buffers[i];
    }

    /** Buffer i, in the order of the optimizer's bufferNames. */
    public Tensor buffer(int i) {
        if (i < 0 || i >= buffers.length) {
            throw new IndexOutOfBoundsException("ParameterState: buffer " + i + ", expected 0.."
                    + (buffers.length - 1) + " " + names);
        }
        return buffers[i];
    }

    /** The buffers' names, in order. */
    public List<String> bufferNames() {
        return names;
    }

    /**
     * The steps this parameter has taken, this one included (1 in its first update), for
     * optimizers that count steps; always 0 for those that do not.
     */
    public long step() {
        return step;
    }

    /**
     * True during the update that created this state: the buffers hold their initial values, not
     * ones from an earlier step (as PyTorch's momentum buffer that is still None). False for state
     * restored from a {@code stateDict()}.
     */
    public boolean isNew() {
        return fresh;
    }

    Tensor[] buffers() {
        return buffers;
    }

    void advance() {
        step++;
    }

    void setStep(long step) {
        this.step = step;
    }

    void settle() {
        fresh = false;
    }
}
