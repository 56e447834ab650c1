package org.trainer.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * What the optimizers share: their groups, their per-parameter buffers and step counts
 * ({@link OptimizerState}, saved and restored under PyTorch's names), and the walk over every
 * trainable parameter that has a gradient; a subclass supplies the update of one parameter. A
 * subclass may also gather a group's parameters into {@link StepBatch}es and update them together
 * in {@link #finishGroup}.
 */
abstract class BufferedOptimizer implements Optimizer {
    private final List<ParameterGroup> groups;
    final OptimizerState state;
    private final Map<ParameterGroup, StepBatch> batches = new IdentityHashMap<>();

    BufferedOptimizer(String owner, List<ParameterGroup> groups, List<String> bufferNames, boolean countsSteps) {
        this.groups = OptimizerState.checkGroups(owner, groups);
        this.state = new OptimizerState(owner, this.groups, bufferNames, countsSteps);
    }

    /** Updates one parameter w, with gradient g, by the rule of the subclass and its group's settings. */
    abstract void update(ParameterGroup group, Parameter p, Tensor w, Tensor g);

    /**
     * Called when every parameter of the group has been through {@link #update}, also after one of
     * them failed: a subclass that gathers parameters applies the rest of its batch here. Does
     * nothing by default.
     */
    void finishGroup(ParameterGroup group) {
    }

    /** The batch of a group's parameters for a group step, created on first use and kept for the next steps. */
    final StepBatch batch(ParameterGroup group, int lists) {
        StepBatch b = batches.get(group);
        if (b == null) {
            b = new StepBatch(lists);
            batches.put(group, b);
        }
        return b;
    }

    @Override
    public final void step() {
        for (ParameterGroup group : groups) {
            Throwable failure = null;
            try {
                for (Parameter p : group.parameters()) {
                    Tensor g = p.grad();
                    if (p.isTrainable() && g != null) {
                        update(group, p, p.value(), g);
                    }
                }
            } catch (Throwable e) {
                failure = e;
                throw e;
            } finally {
                // The parameters before a failure are updated, as if each had been updated on its own,
                // and no batch carries a parameter over into the next step.
                try {
                    finishGroup(group);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        throw e;
                    }
                    failure.addSuppressed(e);
                }
            }
        }
    }

    @Override
    public final List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * A snapshot of the state under PyTorch's names: state.&lt;i&gt;.&lt;buffer&gt; (and .step where
     * the rule counts steps) for every parameter i updated so far, and param_groups.&lt;j&gt;.lr.
     */
    @Override
    public final Map<String, Tensor> stateDict() {
        return state.stateDict();
    }

    /** Restores a {@link #stateDict()}; the next step continues as if there had been no interruption. */
    @Override
    public final void loadStateDict(Map<String, Tensor> dict) {
        state.loadStateDict(dict);
    }
}
