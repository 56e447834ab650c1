package org.trainer.optim.extension;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.optim.BufferedOptimizer;
import org.trainer.optim.OptimizerGroup;
import org.trainer.optim.OptimizerOptions;
import org.trainer.optim.ParameterState;

/**
 * Adamax (Kingma and Ba, 2015, section 7.1), as torch.optim.Adamax, written outside the library's
 * package on its public base class alone, as a user would. For each parameter w with gradient g,
 * learning rate lr, weight decay lambda and its step t = 1, 2, ...:
 * <pre>
 *   g' = g + lambda w
 *   m  = beta1 m + (1 - beta1) g'
 *   u  = max(beta2 u, |g'| + eps)
 *   w  = w - lr / (1 - beta1^t) m / u
 * </pre>
 * Only the Tensor-level update: no backend offers a fused kernel for it.
 */
public final class Adamax extends BufferedOptimizer<Adamax.Options> {

    /** torch.optim.Adamax's hyperparameters of one group; {@link #options(double)} gives PyTorch's defaults. */
    public static final class Options implements OptimizerOptions<Options> {
        private final double lr;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double weightDecay;
        private final boolean maximize;

        private Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize) {
            this.lr = check("lr", lr, lr >= 0 && Double.isFinite(lr));
            this.beta1 = check("beta1", beta1, beta1 >= 0 && beta1 < 1);
            this.beta2 = check("beta2", beta2, beta2 >= 0 && beta2 < 1);
            this.eps = check("eps", eps, eps >= 0 && Double.isFinite(eps));
            this.weightDecay = check("weightDecay", weightDecay, weightDecay >= 0 && Double.isFinite(weightDecay));
            this.maximize = maximize;
        }

        private static double check(String name, double value, boolean ok) {
            if (!ok) {
                throw new IllegalArgumentException("Adamax: " + name + " out of range, got " + value);
            }
            return value;
        }

        @Override
        public double lr() {
            return lr;
        }

        @Override
        public double weightDecay() {
            return weightDecay;
        }

        /** The base class negates the gradient of a group that maximizes; the update below never sees it. */
        @Override
        public boolean maximize() {
            return maximize;
        }

        public Options withMaximize(boolean maximize) {
            return new Options(lr, beta1, beta2, eps, weightDecay, maximize);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay, maximize);
        }

        @Override
        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, beta1, beta2, eps, weightDecay, maximize);
        }

        public Options withBetas(double beta1, double beta2) {
            return new Options(lr, beta1, beta2, eps, weightDecay, maximize);
        }

        public Options withEps(double eps) {
            return new Options(lr, beta1, beta2, eps, weightDecay, maximize);
        }

        @Override
        public String toString() {
            return "Adamax.Options[lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay="
                    + weightDecay + ", maximize=" + maximize + "]";
        }
    }

    /** PyTorch's defaults with learning rate lr: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Options options(double lr) {
        return new Options(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adamax(List<Parameter> parameters, Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    public Adamax(List<OptimizerGroup<Options>> groups) {
        super("Adamax", groups, true);
    }

    /** exp_avg and exp_inf, as PyTorch names them. */
    @Override
    protected List<String> bufferNames(Options o) {
        return List.of("exp_avg", "exp_inf");
    }

    @Override
    protected void update(Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Tensor grad = o.weightDecay != 0 ? g.add(w.mul(o.weightDecay)) : g;
        Tensor m = s.buffer("exp_avg");
        Tensor u = s.buffer("exp_inf");
        m.copyFrom(m.mul(o.beta1).add(grad.mul(1 - o.beta1)));
        u.copyFrom(u.mul(o.beta2).maximum(grad.abs().add(o.eps)));
        double clr = lr / (1 - Math.pow(o.beta1, s.step()));
        w.copyFrom(w.add(m.div(u).mul(-clr)));
    }
}
