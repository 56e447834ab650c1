package org.trainer.optim;

import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Fused;

/**
 * The update that {@link Adam} and {@link AdamW} share; they differ only in where the weight decay
 * goes ({@code decoupled}). Each parameter keeps exp_avg (m), exp_avg_sq (v), max_exp_avg_sq where
 * its group uses AMSGrad, and its own step count, as in PyTorch. The parameters of a group that
 * share a backend and a step count are updated in one call ({@link Fused.Adam#adamSteps}), which a GPU
 * runs as one launch for many of them.
 */
abstract class AdamUpdate extends BufferedOptimizer<Adam.Options> {
    private final boolean decoupled;

    AdamUpdate(String name, List<OptimizerGroup<Adam.Options>> groups, boolean decoupled) {
        super(name, groups, true);
        this.decoupled = decoupled;
    }

    @Override
    protected final List<String> bufferNames(Adam.Options o) {
        return o.amsgrad() ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected final void update(Adam.Options o, double lr, Tensor w, Tensor g, ParameterState s) {
        double wd = o.weightDecay();
        if (decoupled && wd != 0) {
            w.copyFrom(w.mul(1 - lr * wd));
        }
        Tensor grad = !decoupled && wd != 0 ? g.add(w.mul(wd)) : g;
        Tensor m = s.buffer(0);
        Tensor v = s.buffer(1);
        m.copyFrom(m.mul(o.beta1()).add(grad.mul(1 - o.beta1())));
        v.copyFrom(v.mul(o.beta2()).add(grad.mul(grad).mul(1 - o.beta2())));
        Tensor second = v;
        if (o.amsgrad()) {
            Tensor vMax = s.buffer(2);
            vMax.copyFrom(vMax.maximum(v));
            second = vMax;
        }
        double c1 = 1 - Math.pow(o.beta1(), s.step());
        double c2 = Math.sqrt(1 - Math.pow(o.beta2(), s.step()));
        Tensor denom = second.sqrt().div(c2).add(o.eps());
        w.copyFrom(w.add(m.div(denom).mul(-lr / c1)));
    }

    @Override
    protected final boolean fusedUpdate(int group, Adam.Options o, double lr, Tensor w, Tensor g,
                                        ParameterState s) {
        // The bias corrections depend on the step count, which parameters of one group may not share
        // (one without a gradient skips steps); parameters keep their order.
        StepBatch batch = batch(group, 5);
        Backend b = w.backend();
        if (b.capability(Fused.Adam.class).isEmpty()) {
            return false;
        }
        if (!batch.accepts(b, s.step())) {
            apply(o, lr, batch);
        }
        batch.add(b, s.step(), w.storage(), g.storage(), s.buffer(0).storage(), s.buffer(1).storage(),
                o.amsgrad() ? s.buffer(2).storage() : null);
        return true;
    }

    @Override
    protected final void finishGroup(int group, Adam.Options o, double lr) {
        apply(o, lr, batch(group, 5));
    }

    private void apply(Adam.Options o, double lr, StepBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            // a batch holds parameters only of a backend that offers the capability (fusedUpdate)
            Fused.Adam adam = batch.backend().capability(Fused.Adam.class).orElseThrow();
            adam.adamSteps(batch.list(0), batch.list(1), batch.list(2), batch.list(3),
                    o.amsgrad() ? batch.list(4) : null, lr, o.beta1(), o.beta2(), o.eps(), o.weightDecay(),
                    decoupled, batch.key());
        } finally {
            batch.clear();
        }
    }
}
