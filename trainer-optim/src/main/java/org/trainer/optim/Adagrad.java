package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Adagrad (Duchi et al., 2011), as torch.optim.Adagrad. For each parameter w with gradient g,
 * learning rate lr, weight decay lambda and its step t = 1, 2, ...:
 * <pre>
 *   g'  = g + lambda w
 *   sum = sum + g'^2                                  (sum starts at initialAccumulatorValue)
 *   w   = w - lr / (1 + (t - 1) lrDecay) g' / (sqrt(sum) + eps)
 * </pre>
 * The sum never forgets, so each coordinate's rate only falls: rarely updated coordinates keep
 * large steps. Each parameter is updated in one pass over its memory
 * ({@link org.trainer.core.backend.Backend#adagradStep}).
 */
public final class Adagrad extends BufferedOptimizer {
    private final double lrDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    /**
     * Adagrad with PyTorch's defaults: no learning-rate decay, accumulator 0, eps 1e-10, no weight decay.
     *
     * @param parameters the parameters to update
     * @param lr the learning rate
     */
    public Adagrad(List<Parameter> parameters, double lr) {
        this(List.of(new ParameterGroup(parameters, lr, 0)), 0, 0, 1e-10);
    }

    /**
     * @param groups                  parameter groups, each with its learning rate and (L2) weight decay
     * @param lrDecay                 >= 0: step t uses lr / (1 + (t - 1) lrDecay)
     * @param initialAccumulatorValue >= 0, the starting value of every sum
     * @param eps                     >= 0, added to the denominator; PyTorch's default is 1e-10
     */
    public Adagrad(List<ParameterGroup> groups, double lrDecay, double initialAccumulatorValue, double eps) {
        super("Adagrad", groups, List.of("sum"), true);
        this.lrDecay = Arguments.nonNegative("Adagrad", "lrDecay", lrDecay);
        this.initialAccumulatorValue = Arguments.nonNegative("Adagrad", "initialAccumulatorValue",
                initialAccumulatorValue);
        this.eps = Arguments.nonNegative("Adagrad", "eps", eps);
    }

    @Override
    void update(ParameterGroup group, Parameter p, Tensor w, Tensor g) {
        OptimizerState.Slot s = state.findOrCreate(p, initialAccumulatorValue);
        s.step++;
        w.backend().adagradStep(w.storage(), g.storage(), s.buffer(0).storage(), group.learningRate(),
                lrDecay, eps, group.weightDecay(), s.step);
    }
}
