package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.nn.Parameter;
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
 * Each parameter is updated in one pass over its memory ({@link org.trainer.core.backend.Backend#sgdStep}), and
 * the parameters of a group that share a backend and the first-step flag in one call
 * ({@link org.trainer.core.backend.Backend#sgdSteps}), which a GPU runs as one launch for many of them.
 */
public final class SGD extends BufferedOptimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /**
     * Plain SGD over the parameters.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public SGD(List<Parameter> parameters, double lr) {
        this(List.of(new ParameterGroup(parameters, lr, 0)), 0, 0, false);
    }

    /**
     * SGD with momentum (0 for none) and weight decay over one group.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     * @param momentum the momentum, 0 for none
     * @param weightDecay the L2 coefficient added to the gradient
     */
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
        super("SGD", groups, momentum != 0 ? List.of("momentum_buffer") : List.of(), false);
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
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    @Override
    void update(ParameterGroup group, Parameter p, Tensor w, Tensor g) {
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
        // A parameter's first step (its buffer starts as g') differs from its later ones, so the two
        // kinds go to separate group steps; parameters keep their order.
        StepBatch batch = batch(group, 3);
        Backend b = w.backend();
        long key = first ? 1 : 0;
        if (!batch.accepts(b, key)) {
            apply(group, batch);
        }
        batch.add(b, key, w.storage(), g.storage(), buf == null ? null : buf.storage(), null, null);
    }

    @Override
    void finishGroup(ParameterGroup group) {
        apply(group, batch(group, 3));
    }

    private void apply(ParameterGroup group, StepBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            batch.backend().sgdSteps(batch.list(0), batch.list(1), momentum != 0 ? batch.list(2) : null,
                    group.learningRate(), momentum, dampening, group.weightDecay(), nesterov, batch.key() == 1);
        } finally {
            batch.clear();
        }
    }
}
