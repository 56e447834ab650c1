package org.trainer.optim;

import java.util.List;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * AdamW (Loshchilov and Hutter, 2019), as torch.optim.AdamW: Adam with the weight decay decoupled
 * from the gradient. For each parameter w with gradient g, learning rate lr, weight decay lambda and
 * its step t = 1, 2, ...:
 * <pre>
 *   g  = -g                                  (maximize: ascend instead)
 *   w  = w (1 - lr lambda)
 *   m  = beta1 m + (1 - beta1) g
 *   v  = beta2 v + (1 - beta2) g^2
 *   v^ = max(v^, v)   (AMSGrad)   or   v
 *   w  = w - lr / (1 - beta1^t) m / (sqrt(v^) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Every weight shrinks by the same factor whatever its gradient, unlike {@link Adam}'s L2 term,
 * which is divided by sqrt(v). PyTorch's default weight decay here is 0.01. Configured as
 * torch.optim.AdamW is, with {@link Adam.Options} from {@link #options(double)}:
 * <pre>
 *   new AdamW(params, AdamW.options(1e-3).withWeightDecay(0.05).withBetas(0.9, 0.95))
 * </pre>
 * Each parameter is updated in one pass over its memory
 * ({@link org.trainer.core.backend.Fused.Adam#adamStep}), and the parameters of a group together
 * ({@link org.trainer.core.backend.Fused.Adam#adamSteps}).
 */
public final class AdamW extends AdamUpdate {
    /** torch.optim.AdamW's default weight decay. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    /** PyTorch's defaults with learning rate lr: betas (0.9, 0.999), eps 1e-8, weight decay 0.01, no AMSGrad. */
    public static Adam.Options options(double lr) {
        return new Adam.Options("AdamW", lr, 0.9, 0.999, 1e-8, DEFAULT_WEIGHT_DECAY, false, false);
    }

    /** AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<Parameter> parameters, double lr) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, DEFAULT_WEIGHT_DECAY), options(lr))));
    }

    /** AdamW over one group with these options. */
    public AdamW(List<Parameter> parameters, Adam.Options options) {
        this(List.of(OptimizerGroup.of(parameters, options)));
    }

    /** AdamW over groups, each with its own options. */
    public AdamW(List<OptimizerGroup<Adam.Options>> groups) {
        super("AdamW", groups, true);
    }

    /**
     * AdamW with PyTorch's default betas and eps.
     *
     * @deprecated positional hyperparameters; use
     *     {@code new AdamW(parameters, AdamW.options(lr).withWeightDecay(weightDecay))}
     */
    @Deprecated
    public AdamW(List<Parameter> parameters, double lr, double weightDecay) {
        this(List.of(OptimizerGroup.from(new ParameterGroup(parameters, lr, weightDecay), options(lr))));
    }

    /**
     * @param groups  parameter groups, each with its learning rate and (decoupled) weight decay
     * @param beta1   decay of the first moment, in [0, 1); PyTorch's default is 0.9
     * @param beta2   decay of the second moment, in [0, 1); PyTorch's default is 0.999
     * @param eps     >= 0, added to the denominator; PyTorch's default is 1e-8
     * @param amsgrad divide by the largest second moment seen so far (Reddi et al., 2018)
     * @deprecated positional hyperparameters shared by all groups; use
     *     {@code new AdamW(OptimizerGroup.from(groups, AdamW.options(0).withBetas(beta1, beta2).withEps(eps)
     *     .withAmsgrad(amsgrad)))}, or per-group options
     */
    @Deprecated
    public AdamW(List<ParameterGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        this(OptimizerGroup.from(groups, new Adam.Options("AdamW", 0, beta1, beta2, eps, 0, amsgrad, false)));
    }
}
