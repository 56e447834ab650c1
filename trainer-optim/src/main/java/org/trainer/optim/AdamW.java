package org.trainer.optim;

import java.util.List;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * AdamW (Loshchilov and Hutter, 2019), as torch.optim.AdamW: Adam with the weight decay decoupled
 * from the gradient. For each parameter w with gradient g, learning rate lr, weight decay lambda and
 * its step t = 1, 2, ...:
 * <pre>
 *   w  = w (1 - lr lambda)
 *   m  = beta1 m + (1 - beta1) g
 *   v  = beta2 v + (1 - beta2) g^2
 *   v^ = max(v^, v)   (AMSGrad)   or   v
 *   w  = w - lr / (1 - beta1^t) m / (sqrt(v^) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Every weight shrinks by the same factor whatever its gradient, unlike {@link Adam}'s L2 term,
 * which is divided by sqrt(v). PyTorch's default weight decay here is 0.01. Each parameter is
 * updated in one pass over its memory ({@link org.trainer.core.backend.Backend#adamStep}), and the
 * parameters of a group together ({@link org.trainer.core.backend.Backend#adamSteps}).
 */
public final class AdamW extends AdamUpdate {
    /** torch.optim.AdamW's default weight decay. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    /**
     * AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public AdamW(List<Parameter> parameters, double lr) {
        this(parameters, lr, DEFAULT_WEIGHT_DECAY);
    }

    /**
     * AdamW with PyTorch's default betas and eps.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     * @param weightDecay the decoupled weight decay
     */
    public AdamW(List<Parameter> parameters, double lr, double weightDecay) {
        this(List.of(new ParameterGroup(parameters, lr, weightDecay)), 0.9, 0.999, 1e-8, false);
    }

    /**
     * @param groups  parameter groups, each with its learning rate and (decoupled) weight decay
     * @param beta1   decay of the first moment, in [0, 1); PyTorch's default is 0.9
     * @param beta2   decay of the second moment, in [0, 1); PyTorch's default is 0.999
     * @param eps     >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param amsgrad divide by the largest second moment seen so far (Reddi et al., 2018)
     */
    public AdamW(List<ParameterGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        super("AdamW", groups, beta1, beta2, eps, amsgrad, true);
    }
}
