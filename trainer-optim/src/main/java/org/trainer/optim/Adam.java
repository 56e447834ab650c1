package org.trainer.optim;

import java.util.List;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Adam (Kingma and Ba, 2015), as torch.optim.Adam, with weight decay added to the gradient (L2).
 * For each parameter w with gradient g, learning rate lr, weight decay lambda and its step t = 1, 2, ...:
 * <pre>
 *   g  = -g                                  (maximize: ascend instead)
 *   g' = g + lambda w
 *   m  = beta1 m + (1 - beta1) g'
 *   v  = beta2 v + (1 - beta2) g'^2
 *   v^ = max(v^, v)   (AMSGrad)   or   v
 *   w  = w - lr / (1 - beta1^t) m / (sqrt(v^) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * The step divides the decay term by sqrt(v) along with the gradient, so weights with large
 * gradients are decayed less; {@link AdamW} decays every weight at the same rate. Configured as
 * torch.optim.Adam is, every hyperparameter per group:
 * <pre>
 *   new Adam(params, 1e-3)
 *   new Adam(params, Adam.options(1e-3).withBetas(0.9, 0.99).withAmsgrad(true))
 *   new Adam(List.of(OptimizerGroup.of(body, Adam.options(1e-4)),
 *                    OptimizerGroup.of(head, Adam.options(1e-3).withEps(1e-6))))
 * </pre>
 * Each parameter is updated in one pass over its memory ({@link org.trainer.core.backend.Fused.Adam#adamStep}),
 * and the parameters of a group together ({@link org.trainer.core.backend.Fused.Adam#adamSteps}).
 */
public final class Adam extends AdamUpdate {

    /**
     * torch.optim.Adam's (and AdamW's) hyperparameters of one group, immutable:
     * {@link Adam#options(double)} and {@link AdamW#options(double)} give PyTorch's defaults.
     */
    public static final class Options implements OptimizerOptions<Options> {
        private final String owner;
        private final double lr;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double weightDecay;
        private final boolean amsgrad;
        private final boolean maximize;

        Options(String owner, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad, boolean maximize) {
            this.owner = owner;
            this.lr = Arguments.nonNegative(owner, "lr", lr);
            this.beta1 = Arguments.decayRate(owner, "beta1", beta1);
            this.beta2 = Arguments.decayRate(owner, "beta2", beta2);
            this.eps = Arguments.nonNegative(owner, "eps", eps);
            this.weightDecay = Arguments.nonNegative(owner, "weightDecay", weightDecay);
            this.amsgrad = amsgrad;
            this.maximize = maximize;
        }

        @Override
        public double lr() {
            return lr;
        }

        public double beta1() {
            return beta1;
        }

        public double beta2() {
            return beta2;
        }

        public double eps() {
            return eps;
        }

        @Override
        public double weightDecay() {
            return weightDecay;
        }

        public boolean amsgrad() {
            return amsgrad;
        }

        @Override
        public boolean maximize() {
            return maximize;
        }

        @Override
        public Options withLr(double lr) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** The decays of the first and second moments, each in [0, 1) (PyTorch's betas). */
        public Options withBetas(double beta1, double beta2) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** A finite value >= 0 added to the denominator. */
        public Options withEps(double eps) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** Weight decay: added to the gradient (Adam) or decoupled (AdamW). */
        @Override
        public Options withWeightDecay(double weightDecay) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** Divide by the largest second moment seen so far (Reddi et al., 2018), or not. */
        public Options withAmsgrad(boolean amsgrad) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** Ascend the objective (true) or descend it (false, the default). */
        public Options withMaximize(boolean maximize) {
            return new Options(owner, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        @Override
        public String toString() {
            return owner + ".Options[lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                    + ", weightDecay=" + weightDecay + ", amsgrad=" + amsgrad + ", maximize=" + maximize + "]";
        }
    }

    /** PyTorch's defaults with learning rate lr: betas (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad. */
    public static Options options(double lr) {
        return new Options("Adam", lr, 0.9, 0.999, 1e-8, 0, false, false);
    }

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Parameter> parameters, double lr) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, 0), options(lr))));
    }

    /** Adam over one group with these options. */
    public Adam(List<Parameter> parameters, Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    /** Adam over groups, each with its own options. */
    public Adam(List<OptimizerGroup<Options>> groups) {
        super("Adam", groups, false);
    }

    /**
     * Adam with PyTorch's default betas and eps, and L2 weight decay.
     *
     * @deprecated positional hyperparameters; use
     *     {@code new Adam(parameters, Adam.options(lr).withWeightDecay(weightDecay))}
     */
    @Deprecated
    public Adam(List<Parameter> parameters, double lr, double weightDecay) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, weightDecay), options(lr))));
    }

    /**
     * @param groups  parameter groups, each with its learning rate and (L2) weight decay
     * @param beta1   decay of the first moment, in [0, 1); PyTorch's default is 0.9
     * @param beta2   decay of the second moment, in [0, 1); PyTorch's default is 0.999
     * @param eps     >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param amsgrad divide by the largest second moment seen so far (Reddi et al., 2018)
     * @deprecated positional hyperparameters shared by all groups; use
     *     {@code new Adam(OptimizerGroup.from(groups, Adam.options(0).withBetas(beta1, beta2).withEps(eps)
     *     .withAmsgrad(amsgrad)))}, or per-group options
     */
    @Deprecated
    public Adam(List<ParameterGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        this(OptimizerGroup.from(groups, new Options("Adam", 0, beta1, beta2, eps, 0, amsgrad, false)));
    }
}
