package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Fused;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD. For each parameter w with
 * gradient g, learning rate lr, weight decay lambda, and its group's momentum mu and dampening:
 * <pre>
 *   g  = -g                                  (maximize: ascend instead)
 *   g' = g + lambda w
 *   b  = g'                                   (first step)
 *   b  = mu b + (1 - dampening) g'           (later steps)
 *   d  = g' + mu b   (Nesterov)   or   b   (otherwise; g' when mu = 0)
 *   w  = w - lr d
 * </pre>
 * Configured as torch.optim.SGD is, every hyperparameter per group:
 * <pre>
 *   new SGD(params, 0.1)                                                    // plain
 *   new SGD(params, SGD.options(0.1).withMomentum(0.9).withNesterov(true))  // one group
 *   new SGD(List.of(OptimizerGroup.of(body, SGD.options(0.01)),
 *                   OptimizerGroup.of(head, SGD.options(0.1).withMomentum(0.9))))
 * </pre>
 * Each parameter is updated in one pass over its memory ({@link Fused.Sgd#sgdStep}), and the
 * parameters of a group that share a backend and the first-step flag in one call
 * ({@link Fused.Sgd#sgdSteps}), which a GPU runs as one launch for many of them.
 */
public final class SGD extends BufferedOptimizer<SGD.Options> {

    /**
     * torch.optim.SGD's hyperparameters of one group, immutable; {@link SGD#options(double)} gives
     * PyTorch's defaults: momentum 0, dampening 0, weight decay 0, no Nesterov, minimizing.
     */
    public static final class Options implements OptimizerOptions<Options> {
        private final double lr;
        private final double momentum;
        private final double dampening;
        private final double weightDecay;
        private final boolean nesterov;
        private final boolean maximize;

        private Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                        boolean maximize) {
            this.lr = Arguments.nonNegative("SGD", "lr", lr);
            this.momentum = Arguments.nonNegative("SGD", "momentum", momentum);
            this.dampening = Arguments.unitInterval("SGD", "dampening", dampening);
            this.weightDecay = Arguments.nonNegative("SGD", "weightDecay", weightDecay);
            this.nesterov = nesterov;
            this.maximize = maximize;
        }

        @Override
        public double lr() {
            return lr;
        }

        public double momentum() {
            return momentum;
        }

        public double dampening() {
            return dampening;
        }

        @Override
        public double weightDecay() {
            return weightDecay;
        }

        public boolean nesterov() {
            return nesterov;
        }

        @Override
        public boolean maximize() {
            return maximize;
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        /** Momentum mu, a finite value >= 0 (0 for none). */
        public Options withMomentum(double momentum) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        /** Dampening of the momentum, in [0, 1]. */
        public Options withDampening(double dampening) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        /** L2 weight decay, added to the gradient. */
        @Override
        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        /** Nesterov momentum on or off; on needs momentum > 0 and dampening 0 (checked by the optimizer). */
        public Options withNesterov(boolean nesterov) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        /** Ascend the objective (true) or descend it (false, the default). */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }

        @Override
        public String toString() {
            return "SGD.Options[lr=" + lr + ", momentum=" + momentum + ", dampening=" + dampening + ", weightDecay="
                    + weightDecay + ", nesterov=" + nesterov + ", maximize=" + maximize + "]";
        }
    }

    /** PyTorch's defaults with learning rate lr. */
    public static Options options(double lr) {
        return new Options(lr, 0, 0, 0, false, false);
    }

    /** Plain SGD over the parameters. */
    public SGD(List<Parameter> parameters, double lr) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, 0), options(lr))));
    }

    /** SGD over one group with these options. */
    public SGD(List<Parameter> parameters, Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    /**
     * SGD over groups, each with its own options.
     *
     * @throws IllegalArgumentException if there is no group, a parameter is in two, or a group asks
     *         for Nesterov without momentum > 0 and dampening 0
     */
    public SGD(List<OptimizerGroup<Options>> groups) {
        super("SGD", checked(groups), false);
    }

    /**
     * SGD with momentum (0 for none) and weight decay over one group.
     *
     * @deprecated positional hyperparameters; use
     *     {@code new SGD(parameters, SGD.options(lr).withMomentum(momentum).withWeightDecay(weightDecay))}
     */
    @Deprecated
    public SGD(List<Parameter> parameters, double lr, double momentum, double weightDecay) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, weightDecay),
                options(lr).withMomentum(momentum))));
    }

    /**
     * @param groups    parameter groups, each with its learning rate and weight decay
     * @param momentum  mu >= 0
     * @param dampening in [0, 1]; PyTorch's default is 0
     * @param nesterov  Nesterov momentum (needs momentum > 0 and dampening 0)
     * @deprecated positional hyperparameters shared by all groups; use
     *     {@code new SGD(OptimizerGroup.from(groups, SGD.options(0).withMomentum(momentum)
     *     .withDampening(dampening).withNesterov(nesterov)))}, or per-group options
     */
    @Deprecated
    public SGD(List<ParameterGroup> groups, double momentum, double dampening, boolean nesterov) {
        this(OptimizerGroup.from(groups, options(0).withMomentum(momentum).withDampening(dampening)
                .withNesterov(nesterov)));
    }

    private static List<OptimizerGroup<Options>> checked(List<OptimizerGroup<Options>> groups) {
        for (int j = 0; j < groups.size(); j++) {
            Options o = groups.get(j).options();
            if (o.nesterov() && (o.momentum() <= 0 || o.dampening() != 0)) {
                throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum="
                        + o.momentum() + ", dampening=" + o.dampening() + " (group " + j + ")");
            }
        }
        return groups;
    }

    /** momentum_buffer where the group has momentum, as PyTorch names it; nothing otherwise. */
    @Override
    protected List<String> bufferNames(Options o) {
        return o.momentum() != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    protected void update(Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Tensor d = o.weightDecay() != 0 ? g.add(w.mul(o.weightDecay())) : g;
        if (o.momentum() != 0) {
            Tensor buf = s.buffer(0);
            buf.copyFrom(s.isNew() ? d : buf.mul(o.momentum()).add(d.mul(1 - o.dampening())));
            d = o.nesterov() ? d.add(buf.mul(o.momentum())) : buf;
        }
        w.copyFrom(w.sub(d.mul(lr)));
    }

    @Override
    protected boolean fusedUpdate(int group, Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        // A parameter's first step (its buffer starts as g') differs from its later ones, so the two
        // kinds go to separate group steps; parameters keep their order.
        boolean first = o.momentum() != 0 && s.isNew();
        StepBatch batch = batch(group, 3);
        Backend b = w.backend();
        if (b.capability(Fused.Sgd.class).isEmpty()) {
            return false;
        }
        long key = first ? 1 : 0;
        if (!batch.accepts(b, key)) {
            apply(o, lr, batch);
        }
        batch.add(b, key, w.storage(), g.storage(), o.momentum() != 0 ? s.buffer(0).storage() : null, null, null);
        return true;
    }

    @Override
    protected void finishGroup(int group, Options o, double lr) {
        apply(o, lr, batch(group, 3));
    }

    private static void apply(Options o, double lr, StepBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            // a batch holds parameters only of a backend that offers the capability (fusedUpdate)
            Fused.Sgd sgd = batch.backend().capability(Fused.Sgd.class).orElseThrow();
            sgd.sgdSteps(batch.list(0), batch.list(1), o.momentum() != 0 ? batch.list(2) : null, lr,
                    o.momentum(), o.dampening(), o.weightDecay(), o.nesterov(), batch.key() == 1);
        } finally {
            batch.clear();
        }
    }
}
