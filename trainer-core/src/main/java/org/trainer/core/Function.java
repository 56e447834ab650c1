package org.trainer.core;

/**
 * A differentiable operation as a node of the autograd graph. Each op computes its forward result
 * with backend primitives, records itself on that result with {@link #record}, and implements
 * {@link #backward}: the gradient with respect to each input, given the gradient of the output.
 * Backward runs with grad mode off, so it may use any {@link Tensor} method.
 */
public abstract class Function {
    private final Tensor[] inputs;

    /**
     * An op over these inputs, in the order {@link #backward} returns their gradients.
     *
     * @param inputs the op's inputs
     */
    protected Function(Tensor... inputs) {
        this.inputs = inputs;
    }

    /**
     * Gradients for each input, in order; null for an input that needs none.
     *
     * @param gradOutput the gradient of the output
     * @return one gradient (or null) per input
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /**
     * Makes {@code output} a node of the graph when grad mode is on and any input requires grad.
     *
     * @param output the op's output
     * @return {@code output}
     */
    protected final Tensor record(Tensor output) {
        if (!GradMode.isEnabled()) {
            return output;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                output.setGradFn(this);
                return output;
            }
        }
        return output;
    }

    /**
     * Whether input {@code i} takes part in differentiation.
     *
     * @param i the input's index
     * @return whether it needs a gradient
     */
    protected final boolean needsGrad(int i) {
        return inputs[i].requiresGrad();
    }

    final Tensor[] inputs() {
        return inputs;
    }

    /**
     * The op's name, as shown in error messages.
     *
     * @return the name
     */
    public String name() {
        return getClass().getSimpleName();
    }
}
