package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * RMSprop (Hinton, 2012), as torch.optim.RMSprop. For each parameter w with gradient g, learning
 * rate lr and weight decay lambda:
 * <pre>
 *   g  = -g                                  (maximize: ascend instead)
 *   g'  = g + lambda w
 *   sq  = alpha sq + (1 - alpha) g'^2
 *   ga  = alpha ga + (1 - alpha) g'                   (centered)
 *   avg = sqrt(sq - ga^2) + eps   (centered)   or   sqrt(sq) + eps
 *   buf = mu buf + g' / avg;   w = w - lr buf         (momentum mu > 0)
 *   w   = w - lr g' / avg                             (otherwise)
 * </pre>
 * All averages start at zero, with no bias correction (unlike Adam), so early steps are large.
 * Centering divides by an estimate of the gradient's variance rather than its raw second moment.
 * Configured as torch.optim.RMSprop is, every hyperparameter per group:
 * <pre>
 *   new RMSprop(params, RMSprop.options(0.01).withAlpha(0.9).withMomentum(0.5).withCentered(true))
 * </pre>
 * Each parameter is updated in one pass over its memory
 * ({@link org.trainer.core.backend.Fused.Rmsprop#rmspropStep}).
 */
public final class RMSprop extends BufferedOptimizer<RMSprop.Options> {

    /**
     * torch.optim.RMSprop's hyperparameters of one group, immutable; {@link RMSprop#options(double)}
     * gives PyTorch's defaults: alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered.
     */
    public static final class Options implements OptimizerOptions<Options> {
        private final double lr;
        private final double alpha;
        private final double eps;
        private final double weightDecay;
        private final double momentum;
        private final boolean centered;
        private final boolean maximize;

        private Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                        boolean maximize) {
            this.lr = Arguments.nonNegative("RMSprop", "lr", lr);
            this.alpha = Arguments.unitInterval("RMSprop", "alpha", alpha);
            this.eps = Arguments.nonNegative("RMSprop", "eps", eps);
            this.weightDecay = Arguments.nonNegative("RMSprop", "weightDecay", weightDecay);
            this.momentum = Arguments.nonNegative("RMSprop", "momentum", momentum);
            this.centered = centered;
            this.maximize = maximize;
        }

        @Override
        public double lr() {
            return lr;
        }

        public double alpha() {
            return alpha;
        }

        public double eps() {
            return eps;
        }

        @Override
        public double weightDecay() {
            return weightDecay;
        }

        public double momentum() {
            return momentum;
        }

        public boolean centered() {
            return centered;
        }

        @Override
        public boolean maximize() {
            return maximize;
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** Smoothing of the averages, in [0, 1]. */
        public Options withAlpha(double alpha) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** A finite value >= 0 added to the denominator. */
        public Options withEps(double eps) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** L2 weight decay, added to the gradient. */
        @Override
        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** Momentum mu, a finite value >= 0 (0 for none). */
        public Options withMomentum(double momentum) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** Divide by the estimated variance of the gradient (true) or its second moment (false). */
        public Options withCentered(boolean centered) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** Ascend the objective (true) or descend it (false, the default). */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        @Override
        public String toString() {
            return "RMSprop.Options[lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", weightDecay=" + weightDecay
                    + ", momentum=" + momentum + ", centered=" + centered + ", maximize=" + maximize + "]";
        }
    }

    /** PyTorch's defaults with learning rate lr. */
    public static Options options(double lr) {
        return new Options(lr, 0.99, 1e-8, 0, 0, false, false);
    }

    /**
     * RMSprop with PyTorch's defaults: alpha 0.99, eps 1e-8, no momentum, not centered, no weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public RMSprop(List<Parameter> parameters, double lr) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, 0), options(lr))));
    }

    /** RMSprop over one group with these options. */
    public RMSprop(List<Parameter> parameters, Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    /** RMSprop over groups, each with its own options. */
    public RMSprop(List<OptimizerGroup<Options>> groups) {
        super("RMSprop", groups, true);
    }

    /**
     * @param groups   parameter groups, each with its learning rate and (L2) weight decay
     * @param alpha    smoothing of the averages, in [0, 1]; PyTorch's default is 0.99
     * @param eps      >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param momentum mu >= 0 (0 for none)
     * @param centered divide by the estimated variance of the gradient
     * @deprecated positional hyperparameters shared by all groups; use
     *     {@code new RMSprop(OptimizerGroup.from(groups, RMSprop.options(0).withAlpha(alpha).withEps(eps)
     *     .withMomentum(momentum).withCentered(centered)))}, or per-group options
     */
    @Deprecated
    public RMSprop(List<ParameterGroup> groups, double alpha, double eps, double momentum, boolean centered) {
        this(OptimizerGroup.from(groups, new Options(0, alpha, eps, 0, momentum, centered, false)));
    }

    /** square_avg, then momentum_buffer with momentum and grad_avg when centered, as PyTorch names them. */
    @Override
    protected List<String> bufferNames(Options o) {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (o.momentum() > 0) {
            names.add("momentum_buffer");
        }
        if (o.centered()) {
            names.add("grad_avg");
        }
        return names;
    }

    @Override
    protected void update(Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Tensor grad = o.weightDecay() != 0 ? g.add(w.mul(o.weightDecay())) : g;
        double alpha = o.alpha();
        Tensor sq = s.buffer("square_avg");
        sq.copyFrom(sq.mul(alpha).add(grad.mul(grad).mul(1 - alpha)));
        Tensor avg;
        if (o.centered()) {
            Tensor ga = s.buffer("grad_avg");
            ga.copyFrom(ga.mul(alpha).add(grad.mul(1 - alpha)));
            avg = sq.sub(ga.mul(ga)).sqrt();
        } else {
            avg = sq.sqrt();
        }
        avg = avg.add(o.eps());
        if (o.momentum() > 0) {
            Tensor buf = s.buffer("momentum_buffer");
            buf.copyFrom(buf.mul(o.momentum()).add(grad.div(avg)));
            w.copyFrom(w.sub(buf.mul(lr)));
        } else {
            w.copyFrom(w.add(grad.div(avg).mul(-lr)));
        }
    }

    @Override
    protected boolean fusedUpdate(int group, Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        Optional<Fused.Rmsprop> fused = w.backend().capability(Fused.Rmsprop.class);
        if (fused.isEmpty()) {
            return false;
        }
        Tensor buf = o.momentum() > 0 ? s.buffer("momentum_buffer") : null;
        Tensor gradAvg = o.centered() ? s.buffer("grad_avg") : null;
        fused.get().rmspropStep(w.storage(), g.storage(), s.buffer(0).storage(),
                gradAvg == null ? null : gradAvg.storage(), buf == null ? null : buf.storage(), lr, o.alpha(),
                o.eps(), o.weightDecay(), o.momentum());
        return true;
    }
}
