package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * The base of every optimizer here, and of one written elsewhere: parameter groups each with every
 * hyperparameter ({@link OptimizerGroup}, options of type {@code O}), per-parameter state
 * ({@link ParameterState}: named buffers and a step count, saved and restored under PyTorch's
 * names), and the walk over every trainable parameter that has a gradient. A subclass states which
 * buffers a parameter keeps ({@link #bufferNames}) and writes the update of one parameter twice at
 * most:
 * <ul>
 *   <li>{@link #update}: the reference, in {@link Tensor} operations, which every backend runs
 *       (gradients are not recorded; write w and the buffers in place with
 *       {@link Tensor#copyFrom});</li>
 *   <li>{@link #fusedUpdate}: optional, the backend's fused kernel for the same rule (one pass over
 *       memory, or many parameters per launch); it returns false where the backend offers none, and
 *       the reference runs instead.</li>
 * </ul>
 * A sketch, plain gradient descent with a running average kept as state:
 * <pre>
 *   protected List&lt;String&gt; bufferNames(MyOptions o) { return List.of("avg"); }
 *
 *   protected void update(MyOptions o, double lr, Tensor w, Tensor g, ParameterState s) {
 *       Tensor avg = s.buffer(0);
 *       avg.copyFrom(avg.mul(o.beta()).add(g.mul(1 - o.beta())));
 *       w.copyFrom(w.sub(avg.mul(lr)));
 *   }
 * </pre>
 * Parameters are updated group by group, in order; a group's parameters in order too.
 *
 * @param <O> the optimizer's per-group options
 */
public abstract class BufferedOptimizer<O extends OptimizerOptions<O>> implements Optimizer {
    private final String name;
    private final List<ParameterGroup> groups;
    private final List<O> options;
    private final boolean countsSteps;
    private final OptimizerState state;
    private final StepBatch[] batches;
    private boolean referenceOnly;

    /**
     * @param name        the optimizer's name, which messages and errors start with
     * @param groups      at least one group; no parameter in two of them
     * @param countsSteps whether each parameter counts its steps ({@link ParameterState#step()}),
     *                    saved as state.&lt;i&gt;.step
     * @throws IllegalArgumentException if there is no group or a parameter is in two groups
     */
    protected BufferedOptimizer(String name, List<OptimizerGroup<O>> groups, boolean countsSteps) {
        this.name = name;
        List<ParameterGroup> live = new ArrayList<>(groups.size());
        List<O> opts = new ArrayList<>(groups.size());
        for (OptimizerGroup<O> g : groups) {
            live.add(g.group());
            opts.add(g.options());
        }
        this.groups = OptimizerState.checkGroups(name, live);
        this.options = List.copyOf(opts);
        this.countsSteps = countsSteps;
        List<List<String>> names = new ArrayList<>();
        List<double[]> initials = new ArrayList<>();
        for (O o : options) {
            List<String> n = List.copyOf(bufferNames(o));
            double[] init = new double[n.size()];
            for (int b = 0; b < init.length; b++) {
                init[b] = initialValue(o, n.get(b));
            }
            names.add(n);
            initials.add(init);
        }
        this.state = new OptimizerState(name, this.groups, names, initials, countsSteps);
        this.batches = new StepBatch[this.groups.size()];
    }

    /**
     * The buffers that a parameter of a group with these options keeps, in order (PyTorch's names,
     * so that a state moves between the two). Called from the constructor: it must depend on the
     * options alone.
     */
    protected abstract List<String> bufferNames(O options);

    /** The value a buffer starts with (0 unless overridden). Called from the constructor, as {@link #bufferNames}. */
    protected double initialValue(O options, String buffer) {
        return 0;
    }

    /**
     * The reference update of one parameter, in Tensor operations that any backend runs: writes w
     * and the state's buffers in place. Gradients are not recorded here.
     *
     * @param options the group's options
     * @param lr      the group's current learning rate
     * @param w       the parameter's value
     * @param g       its gradient (negated where the options {@link OptimizerOptions#maximize() maximize})
     * @param state   its state, with the step count already advanced where steps are counted
     */
    protected abstract void update(O options, double lr, Tensor w, Tensor g, ParameterState state);

    /**
     * The same update through the backend's fused kernel, where {@code w.backend()} offers one:
     * returns true when it updated (or took in, see {@link #finishGroup}) the parameter, false to
     * have {@link #update} run. The default offers none.
     *
     * @param group the group's index
     */
    protected boolean fusedUpdate(int group, O options, double lr, Tensor w, Tensor g, ParameterState state) {
        return false;
    }

    /**
     * Called when every parameter of group {@code group} has been through the update, also after one
     * of them failed: a subclass whose {@link #fusedUpdate} gathers parameters to update them together
     * applies the rest here. Does nothing by default.
     */
    protected void finishGroup(int group, O options, double lr) {
    }

    /** Makes every update run the Tensor-level reference, never a fused kernel: for checking one against the other. */
    final void referenceOnly(boolean on) {
        referenceOnly = on;
    }

    /** The batch of a group's parameters for a group step, created on first use and kept for the next steps. */
    final StepBatch batch(int group, int lists) {
        if (batches[group] == null) {
            batches[group] = new StepBatch(lists);
        }
        return batches[group];
    }

    @Override
    public final void step() {
        for (int j = 0; j < groups.size(); j++) {
            ParameterGroup group = groups.get(j);
            O o = options.get(j);
            Throwable failure = null;
            try {
                for (Parameter p : group.parameters()) {
                    Tensor g = p.grad();
                    if (p.isTrainable() && g != null) {
                        updateOne(j, o, group.learningRate(), p, g);
                    }
                }
            } catch (Throwable e) {
                failure = e;
                throw e;
            } finally {
                // The parameters before a failure are updated, as if each had been updated on its own,
                // and no batch carries a parameter over into the next step.
                try {
                    finishGroup(j, o, group.learningRate());
                } catch (RuntimeException e) {
                    if (failure == null) {
                        throw e;
                    }
                    failure.addSuppressed(e);
                }
            }
        }
    }

    private void updateOne(int j, O o, double lr, Parameter p, Tensor g) {
        ParameterState s = state.findOrCreate(p);
        if (countsSteps) {
            s.advance();
        }
        Tensor w = p.value();
        Tensor grad = g;
        if (o.maximize()) {
            try (GradMode off = Tensor.noGrad()) {
                grad = g.neg();
            }
        }
        if (referenceOnly || !fusedUpdate(j, o, lr, w, grad, s)) {
            try (GradMode off = Tensor.noGrad()) {
                update(o, lr, w, grad, s);
            }
        }
        s.settle();
    }

    @Override
    public final List<ParameterGroup> groups() {
        return groups;
    }

    /** The options of each group, in order: every hyperparameter but the current learning rate. */
    public final List<O> options() {
        return options;
    }

    /** The optimizer's name, as messages start with it. */
    public final String name() {
        return name;
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
