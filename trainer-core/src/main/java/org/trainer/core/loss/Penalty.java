package org.trainer.core.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;

/**
 * An L1/L2 weight penalty as a loss term, as Keras's {@code L1L2} regularizer:
 * <pre>
 *   P = l1 sum_p sum_i |w_pi|  +  l2 sum_p sum_i w_pi^2
 * </pre>
 * over the chosen parameters p; its gradient is l1 sign(w) + 2 l2 w (the subgradient 0 at w = 0).
 * An L2 penalty l2 matches SGD weight decay lambda = 2 l2 (PyTorch's {@code weight_decay} adds
 * lambda w to the gradient, i.e. a penalty of lambda/2 sum w^2). Add it to a loss with
 * {@link RegularizedLoss}.
 */
public final class Penalty {
    private final double l1;
    private final double l2;
    private final List<Parameter> parameters;

    private Penalty(double l1, double l2, List<Parameter> parameters) {
        if (!(l1 >= 0) || Double.isInfinite(l1) || !(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("Penalty: l1 and l2 must be finite values >= 0, got l1=" + l1 + ", l2="
                    + l2);
        }
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException("Penalty: parameters must be non-empty, got " + parameters);
        }
        this.l1 = l1;
        this.l2 = l2;
        this.parameters = List.copyOf(parameters);
    }

    /**
     * l1 times the sum of absolute values.
     *
     * @param l1 the coefficient, finite and at least 0
     * @param parameters the penalised parameters
     * @return the penalty
     */
    public static Penalty l1(double l1, List<Parameter> parameters) {
        return new Penalty(l1, 0, parameters);
    }

    /**
     * l2 times the sum of squares.
     *
     * @param l2 the coefficient, finite and at least 0
     * @param parameters the penalised parameters
     * @return the penalty
     */
    public static Penalty l2(double l2, List<Parameter> parameters) {
        return new Penalty(0, l2, parameters);
    }

    /**
     * Both terms (elastic net).
     *
     * @param l1 the L1 coefficient, finite and at least 0
     * @param l2 the L2 coefficient, finite and at least 0
     * @param parameters the penalised parameters
     * @return the penalty
     */
    public static Penalty l1l2(double l1, double l2, List<Parameter> parameters) {
        return new Penalty(l1, l2, parameters);
    }

    /**
     * The weights of a model that a penalty usually covers: parameters named "weight" (or ending in
     * ".weight") of rank 2 or more, i.e. dense and convolution kernels, not biases or normalisation scales.
     *
     * @param model the model
     * @return its kernels, in registration order
     */
    public static List<Parameter> weights(Module model) {
        List<Parameter> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            String n = e.getKey();
            if ((n.equals("weight") || n.endsWith(".weight")) && e.getValue().value().rank() >= 2) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /**
     * The penalty of one tensor: l1 sum |w| + l2 sum w^2, a 0-d tensor recorded for autograd.
     *
     * @param w the values to penalise
     * @return the penalty of {@code w}
     */
    public Tensor of(Tensor w) {
        Tensor p = null;
        if (l1 != 0) {
            p = w.abs().sum().mul(l1);
        }
        if (l2 != 0) {
            Tensor sq = w.mul(w).sum().mul(l2);
            p = p == null ? sq : p.add(sq);
        }
        return p == null ? w.sum().mul(0) : p;
    }

    /**
     * The penalty over every chosen parameter's current value.
     *
     * @return the penalty, a 0-d tensor recorded for autograd
     */
    public Tensor compute() {
        Tensor total = null;
        for (Parameter p : parameters) {
            Tensor t = of(p.value());
            total = total == null ? t : total.add(t);
        }
        return total;
    }

    /**
     * The penalised parameters.
     *
     * @return the parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return "Penalty(l1=" + l1 + ", l2=" + l2 + ", " + parameters.size() + " parameters)";
    }
}
