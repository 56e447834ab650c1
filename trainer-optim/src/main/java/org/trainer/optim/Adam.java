package org.trainer.optim;

import java.util.List;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Adam (Kingma and Ba, 2015), as torch.optim.Adam, with weight decay added to the gradient (L2).
 * For each parameter w with gradient g, learning rate lr, weight decay lambda and its step t = 1, 2, ...:
 * <pre>
 *   g' = g + lambda w
 *   m  = beta1 m + (1 - beta1) g'
 *   v  = beta2 v + (1 - beta2) g'^2
 *   v^ = max(v^, v)   (AMSGrad)   or   v
 *   w  = w - lr / (1 - beta1^t) m / (sqrt(v^) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * The step divides the decay term by sqrt(v) along with the gradient, so weights with large
 * gradients are decayed less; {@link AdamW} decays every weight at the same rate. Each parameter is
 * updated in one pass over its memory ({@link org.trainer.core.backend.Backend#adamStep}), and the
 * parameters of a group together ({@link org.trainer.core.backend.Backend#adamSteps}).
 */
public final class Adam extends AdamUpdate {
    /**
     * Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public Adam(List<Parameter> parameters, double lr) {
        this(parameters, lr, 0);
    }

    /**
     * Adam with PyTorch's default betas and eps, and L2 weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     * @param weightDecay the L2 coefficient added to the gradient
     */
    public Adam(List<Parameter> parameters, double lr, double weightDecay) {
        this(List.of(new ParameterGroup(parameters, lr, weightDecay)), 0.9, 0.999, 1e-8, false);
    }

    /**
     * @param groups  parameter groups, each with its learning rate and (L2) weight decay
     * @param beta1   decay of the first moment, in [0, 1); PyTorch's default is 0.9
     * @param beta2   decay of the second moment, in [0, 1); PyTorch's default is 0.999
     * @param eps     >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param amsgrad divide by the largest second moment seen so far (Reddi et al., 2018)
     */
    public Adam(List<ParameterGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        super("Adam", groups, beta1, beta2, eps, amsgrad, false);
    }
}
