package org.trainer.optim;

import java.util.List;
import java.util.Optional;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Adagrad (Duchi et al., 2011), as torch.optim.Adagrad. For each parameter w with gradient g,
 * learning rate lr, weight decay lambda and its step t = 1, 2, ...:
 * <pre>
 *   g  = -g                                  (maximize: ascend instead)
 *   g'  = g + lambda w
 *   sum = sum + g'^2                                  (sum starts at initialAccumulatorValue)
 *   w   = w - lr / (1 + (t - 1) lrDecay) g' / (sqrt(sum) + eps)
 * </pre>
 * The sum never forgets, so each coordinate's rate only falls: rarely updated coordinates keep
 * large steps. Configured as torch.optim.Adagrad is, every hyperparameter per group (each group's
 * sums start at its own initialAccumulatorValue; PyTorch 1.13 starts every sum at the constructor's
 * value, whatever a group says):
 * <pre>
 *   new Adagrad(params, Adagrad.options(0.1).withLrDecay(0.01).withInitialAccumulatorValue(0.1))
 * </pre>
 * Each parameter is updated in one pass over its memory
 * ({@link org.trainer.core.backend.Fused.Adagrad#adagradStep}).
 */
public final class Adagrad extends BufferedOptimizer<Adagrad.Options> {

    /**
     * torch.optim.Adagrad's hyperparameters of one group, immutable; {@link Adagrad#options(double)}
     * gives PyTorch's defaults: no learning-rate decay, no weight decay, accumulator 0, eps 1e-10.
     */
    public static final class Options implements OptimizerOptions<Options> {
        private final double lr;
        private final double lrDecay;
        private final double weightDecay;
        private final double initialAccumulatorValue;
        private final double eps;
        private final boolean maximize;

        private Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
                        boolean maximize) {
            this.lr = Arguments.nonNegative("Adagrad", "lr", lr);
            this.lrDecay = Arguments.nonNegative("Adagrad", "lrDecay", lrDecay);
            this.weightDecay = Arguments.nonNegative("Adagrad", "weightDecay", weightDecay);
            this.initialAccumulatorValue = Arguments.nonNegative("Adagrad", "initialAccumulatorValue",
                    initialAccumulatorValue);
            this.eps = Arguments.nonNegative("Adagrad", "eps", eps);
            this.maximize = maximize;
        }

        @Override
        public double lr() {
            return lr;
        }

        public double lrDecay() {
            return lrDecay;
        }

        @Override
        public double weightDecay() {
            return weightDecay;
        }

        public double initialAccumulatorValue() {
            return initialAccumulatorValue;
        }

        public double eps() {
            return eps;
        }

        @Override
        public boolean maximize() {
            return maximize;
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** >= 0: step t uses lr / (1 + (t - 1) lrDecay). */
        public Options withLrDecay(double lrDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** L2 weight decay, added to the gradient. */
        @Override
        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** >= 0, the starting value of every sum. */
        public Options withInitialAccumulatorValue(double initialAccumulatorValue) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** A finite value >= 0 added to the denominator. */
        public Options withEps(double eps) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** Ascend the objective (true) or descend it (false, the default). */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        @Override
        public String toString() {
            return "Adagrad.Options[lr=" + lr + ", lrDecay=" + lrDecay + ", weightDecay=" + weightDecay
                    + ", initialAccumulatorValue=" + initialAccumulatorValue + ", eps=" + eps + ", maximize=" + maximize
                    + "]";
        }
    }

    /** PyTorch's defaults with learning rate lr. */
    public static Options options(double lr) {
        return new Options(lr, 0, 0, 0, 1e-10, false);
    }

    /**
     * Adagrad with PyTorch's defaults: no learning-rate decay, accumulator 0, eps 1e-10, no weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public Adagrad(List<Parameter> parameters, double lr) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, 0), options(lr))));
    }

    /** Adagrad over one group with these options. */
    public Adagrad(List<Parameter> parameters, Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    /** Adagrad over groups, each with its own options. */
    public Adagrad(List<OptimizerGroup<Options>> groups) {
        super("Adagrad", groups, true);
    }

    /**
     * @param groups                  parameter groups, each with its learning rate and (L2) weight decay
     * @param lrDecay                 >= 0: step t uses lr / (1 + (t - 1) lrDecay)
     * @param initialAccumulatorValue >= 0, the starting value of every sum
     * @param eps                     >= 0, added to the denominator; PyTorch's default is 1e-10
     * @deprecated positional hyperparameters shared by all groups; use
     *     {@code new Adagrad(OptimizerGroup.from(groups, Adagrad.options(0).withLrDecay(lrDecay)
     *     .withInitialAccumulatorValue(initialAccumulatorValue).withEps(eps)))}, or per-group options
     */
    @Deprecated
    public Adagrad(List<ParameterGroup> groups, double lrDecay, double initialAccumulatorValue, double eps) {
        this(OptimizerGroup.from(groups, new Options(0, lrDecay, 0, initialAccumulatorValue, eps, false)));
    }

    @Override
    protected List<String> bufferNames(Options o) {
        return List.of("sum");
    }

    @Override
    protected double initialValue(Options o, String buffer) {
        return o.initialAccumulatorValue();
    }

    @Override
    protected void update(Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Tensor grad = o.weightDecay() != 0 ? g.add(w.mul(o.weightDecay())) : g;
        Tensor sum = s.buffer(0);
        sum.copyFrom(sum.add(grad.mul(grad)));
        double clr = lr / (1 + (s.step() - 1) * o.lrDecay());
        w.copyFrom(w.add(grad.div(sum.sqrt().add(o.eps())).mul(-clr)));
    }

    @Override
    protected boolean fusedUpdate(int group, Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Optional<Fused.Adagrad> fused = w.backend().capability(Fused.Adagrad.class);
        fused.ifPresent(f -> f.adagradStep(w.storage(), g.storage(), s.buffer(0).storage(), lr, o.lrDecay(), o.eps(),
                o.weightDecay(), s.step()));
        return fused.isPresent();
    }
}
