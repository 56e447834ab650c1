package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * The update that {@link Adam} and {@link AdamW} share; they differ only in where the weight decay
 * goes ({@code decoupled}). Each parameter keeps exp_avg (m), exp_avg_sq (v), max_exp_avg_sq with
 * AMSGrad, and its own step count, as in PyTorch. The parameters of a group that share a backend
 * and a step count are updated in one call ({@link org.trainer.core.backend.Backend#adamSteps}),
 * which a GPU runs as one launch for many of them.
 */
abstract class AdamUpdate extends BufferedOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean amsgrad;
    private final boolean decoupled;

    protected AdamUpdate(String owner, List<ParameterGroup> groups, double beta1, double beta2, double eps,
                         boolean amsgrad, boolean decoupled) {
        super(owner, groups, amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : List.of("exp_avg", "exp_avg_sq"), true);
        this.beta1 = Arguments.decayRate(owner, "beta1", beta1);
        this.beta2 = Arguments.decayRate(owner, "beta2", beta2);
        this.eps = Arguments.nonNegative(owner, "eps", eps);
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    @Override
    final void update(ParameterGroup group, Parameter p, Tensor w, Tensor g) {
        OptimizerState.Slot s = state.findOrCreate(p, 0);
        s.step++;
        // The bias corrections depend on the step count, which parameters of one group may not share
        // (one without a gradient skips steps); parameters keep their order.
        StepBatch batch = batch(group, 5);
        Backend b = w.backend();
        if (!batch.accepts(b, s.step)) {
            apply(group, batch);
        }
        batch.add(b, s.step, w.storage(), g.storage(), s.buffer(0).storage(), s.buffer(1).storage(),
                amsgrad ? s.buffer(2).storage() : null);
    }

    @Override
    final void finishGroup(ParameterGroup group) {
        apply(group, batch(group, 5));
    }

    private void apply(ParameterGroup group, StepBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            batch.backend().adamSteps(batch.list(0), batch.list(1), batch.list(2), batch.list(3),
                    amsgrad ? batch.list(4) : null, group.learningRate(), beta1, beta2, eps, group.weightDecay(),
                    decoupled, batch.key());
        } finally {
            batch.clear();
        }
    }
}
