package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD. For each parameter w with
 * gradient g, learning rate lr and weight decay lambda:
 * <pre>
 *   g' = g + lambda w
 *   b  = g'                                   (first step)
 *   b  = mu b + (1 - dampening) g'           (later steps)
 *   d  = g' + mu b   (Nesterov)   or   b   (otherwise; g' when mu = 0)
 *   w  = w - lr d
 * </pre>
 * Each parameter is updated in one pass over its memory ({@link org.trainer.core.backend.Backend#sgdStep}).
 */
public final class SGD implements Optimizer {
    private final List<ParameterGroup> groups;
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final OptimizerState state;

    /** Plain SGD over the parameters. */
    public SGD(List<Parameter> parameters, double lr) {
        this(List.of(new ParameterGroup(parameters, lr, 0)), 0, 0, false);
    }

    /** SGD with momentum (0 for none) and weight decay over one group. */
    public SGD(List<Parameter> parameters, double lr, double momentum, double weightDecay) {
        this(List.of(new ParameterGroup(parameters, lr, weightDecay)), momentum, 0, false);
    }

    /**
     * @param groups    parameter groups, each with its learning rate and weight decay
     * @param momentum  mu >= 0
     * @param dampening in [0, 1]; PyTorch's default is 0
     * @param nesterov  Nesterov momentum (needs momentum > 0 and dampening 0)
     */
    public SGD(List<ParameterGroup> groups, double momentum, double dampening, boolean nesterov) {
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("SGD: momentum must be a finite value >= 0, got " + momentum);
        }
        if (!(dampening >= 0 && dampening <= 1)) {
            throw new IllegalArgumentException("SGD: dampening must be in [0, 1], got " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum="
                    + momentum + ", dampening=" + dampening);
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("SGD: expected at least one parameter group");
        }
        this.groups = new ArrayList<>(groups);
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.state = new OptimizerState("SGD", this.groups, momentum != 0 ? List.of("momentum_buffer") : List.of(),
                false);
    }

    @Override
    public void step() {
        for (ParameterGroup group : groups) {
            for (Parameter p : group.parameters()) {
                Tensor g = p.grad();
                if (!p.isTrainable() || g == null) {
                    continue;
                }
                Tensor w = p.value();
                Tensor buf = null;
                boolean first = false;
                if (momentum != 0) {
                    OptimizerState.Slot s = state.find(p);
                    if (s == null) {
                        s = state.create(p, 0);
                        first = true;
                    }
                    buf = s.buffer(0);
                }
                w.backend().sgdStep(w.storage(), g.storage(), buf == null ? null : buf.storage(), group.learningRate(),
                        momentum, dampening, group.weightDecay(), nesterov, first);
            }
        }
    }

    @Override
    public List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * A snapshot of the state: state.&lt;i&gt;.momentum_buffer for every parameter i updated so far
     * (with momentum), and param_groups.&lt;j&gt;.lr.
     */
    @Override
    public Map<String, Tensor> stateDict() {
        return state.stateDict();
    }

    /** Restores a {@link #stateDict()}; the next step continues as if there had been no interruption. */
    @Override
    public void loadStateDict(Map<String, Tensor> dict) {
        state.loadStateDict(dict);
    }
}
