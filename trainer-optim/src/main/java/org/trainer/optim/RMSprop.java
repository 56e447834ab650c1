package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * RMSprop (Hinton, 2012), as torch.optim.RMSprop. For each parameter w with gradient g, learning
 * rate lr and weight decay lambda:
 * <pre>
 *   g'  = g + lambda w
 *   sq  = alpha sq + (1 - alpha) g'^2
 *   ga  = alpha ga + (1 - alpha) g'                   (centered)
 *   avg = sqrt(sq - ga^2) + eps   (centered)   or   sqrt(sq) + eps
 *   buf = mu buf + g' / avg;   w = w - lr buf         (momentum mu > 0)
 *   w   = w - lr g' / avg                             (otherwise)
 * </pre>
 * All averages start at zero, with no bias correction (unlike Adam), so early steps are large.
 * Centering divides by an estimate of the gradient's variance rather than its raw second moment.
 * Each parameter is updated in one pass over its memory
 * ({@link org.trainer.core.backend.Backend#rmspropStep}).
 */
public final class RMSprop extends BufferedOptimizer {
    private final double alpha;
    private final double eps;
    private final double momentum;
    private final boolean centered;

    /**
     * RMSprop with PyTorch's defaults: alpha 0.99, eps 1e-8, no momentum, not centered, no weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public RMSprop(List<Parameter> parameters, double lr) {
        this(List.of(new ParameterGroup(parameters, lr, 0)), 0.99, 1e-8, 0, false);
    }

    /**
     * @param groups   parameter groups, each with its learning rate and (L2) weight decay
     * @param alpha    smoothing of the averages, in [0, 1]; PyTorch's default is 0.99
     * @param eps      >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param momentum mu >= 0 (0 for none)
     * @param centered divide by the estimated variance of the gradient
     */
    public RMSprop(List<ParameterGroup> groups, double alpha, double eps, double momentum, boolean centered) {
        super("RMSprop", groups, bufferNames(momentum, centered), true);
        this.alpha = Arguments.unitInterval("RMSprop", "alpha", alpha);
        this.eps = Arguments.nonNegative("RMSprop", "eps", eps);
        this.momentum = Arguments.nonNegative("RMSprop", "momentum", momentum);
        this.centered = centered;
    }

    /** square_avg, then momentum_buffer with momentum and grad_avg when centered, as PyTorch names them. */
    private static List<String> bufferNames(double momentum, boolean centered) {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        if (centered) {
            names.add("grad_avg");
        }
        return names;
    }

    @Override
    void update(ParameterGroup group, Parameter p, Tensor w, Tensor g) {
        OptimizerState.Slot s = state.findOrCreate(p, 0);
        s.step++;
        int next = 1;
        Tensor buf = momentum > 0 ? s.buffer(next++) : null;
        Tensor gradAvg = centered ? s.buffer(next) : null;
        w.backend().rmspropStep(w.storage(), g.storage(), s.buffer(0).storage(),
                gradAvg == null ? null : gradAvg.storage(), buf == null ? null : buf.storage(),
                group.learningRate(), alpha, eps, group.weightDecay(), momentum);
    }
}
