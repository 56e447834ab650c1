package org.trainer.optim;

import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * The update that {@link Adam} and {@link AdamW} share; they differ only in where the weight decay
 * goes ({@code decoupled}). Each parameter keeps exp_avg (m), exp_avg_sq (v), max_exp_avg_sq with
 * AMSGrad, and its own step count, as in PyTorch.
 */
abstract class AdamUpdate implements Optimizer {
    private final List<ParameterGroup> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean amsgrad;
    private final boolean decoupled;
    private final OptimizerState state;

    protected AdamUpdate(String owner, List<ParameterGroup> groups, double beta1, double beta2, double eps,
                         boolean amsgrad, boolean decoupled) {
        this.beta1 = Arguments.decayRate(owner, "beta1", beta1);
        this.beta2 = Arguments.decayRate(owner, "beta2", beta2);
        this.eps = Arguments.nonNegative(owner, "eps", eps);
        this.groups = OptimizerState.checkGroups(owner, groups);
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
        this.state = new OptimizerState(owner, this.groups,
                amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq"), true);
    }

    @Override
    public void step() {
        for (ParameterGroup group : groups) {
            for (Parameter p : group.parameters()) {
                Tensor g = p.grad();
                if (!p.isTrainable() || g == null) {
                    continue;
                }
                Tensor w = p.value();
                OptimizerState.Slot s = state.findOrCreate(p, 0);
                s.step++;
                w.backend().adamStep(w.storage(), g.storage(), s.buffer(0).storage(), s.buffer(1).storage(),
                        amsgrad ? s.buffer(2).storage() : null, group.learningRate(), beta1, beta2, eps,
                        group.weightDecay(), decoupled, s.step);
            }
        }
    }

    @Override
    public List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * A snapshot of the state: state.&lt;i&gt;.exp_avg, .exp_avg_sq, .max_exp_avg_sq (AMSGrad) and
     * .step for every parameter i updated so far, and param_groups.&lt;j&gt;.lr.
     */
    @Override
    public Map<String, Tensor> stateDict() {
        return state.stateDict();
    }

    /** Restores a {@link #stateDict()}; the next step continues as if there had been no interruption. */
    @Override
    public void loadStateDict(Map<String, Tensor> dict) {
        state.loadStateDict(dict);
    }
}
