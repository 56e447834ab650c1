package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Parameters with every hyperparameter of their optimizer, as one entry of PyTorch's
 * {@code param_groups}: e.g. a pre-trained body with a small rate and no momentum, and a new head
 * with a larger rate and Nesterov momentum, in one optimizer.
 * <pre>
 *   SGD.Options base = SGD.options(0.1).withMomentum(0.9);
 *   new SGD(List.of(OptimizerGroup.of(body.parameters(), base.withLr(0.01).withMomentum(0)),
 *                   OptimizerGroup.of(head.parameters(), base.withNesterov(true))));
 * </pre>
 * The {@link ParameterGroup} is what the optimizer's {@code groups()} returns: its current learning
 * rate is the one that schedules change and the next step uses.
 *
 * @param <O> the optimizer's options
 */
public final class OptimizerGroup<O extends OptimizerOptions<O>> {
    private final ParameterGroup group;
    private final O options;

    private OptimizerGroup(ParameterGroup group, O options) {
        this.group = group;
        this.options = options;
    }

    /** A new group of the parameters, with the options' learning rate and weight decay. */
    public static <O extends OptimizerOptions<O>> OptimizerGroup<O> of(List<Parameter> parameters, O options) {
        Objects.requireNonNull(options, "OptimizerGroup: options must not be null");
        return new OptimizerGroup<>(new ParameterGroup(parameters, options.lr(), options.weightDecay()), options);
    }

    /**
     * An existing group (kept: changing its rate changes the optimizer's) with the other
     * hyperparameters of {@code options}; the group's initial learning rate and weight decay replace
     * those of the options.
     */
    public static <O extends OptimizerOptions<O>> OptimizerGroup<O> from(ParameterGroup group, O options) {
        Objects.requireNonNull(group, "OptimizerGroup: group must not be null");
        Objects.requireNonNull(options, "OptimizerGroup: options must not be null");
        return new OptimizerGroup<>(group, options.withLr(group.initialLearningRate())
                .withWeightDecay(group.weightDecay()));
    }

    /** {@link #from(ParameterGroup, OptimizerOptions)} for each group, in order. */
    public static <O extends OptimizerOptions<O>> List<OptimizerGroup<O>> from(List<ParameterGroup> groups,
                                                                              O options) {
        List<OptimizerGroup<O>> out = new ArrayList<>(groups.size());
        for (ParameterGroup g : groups) {
            out.add(from(g, options));
        }
        return out;
    }

    /** The parameters and their current learning rate. */
    public ParameterGroup group() {
        return group;
    }

    public List<Parameter> parameters() {
        return group.parameters();
    }

    public O options() {
        return options;
    }

    @Override
    public String toString() {
        return "OptimizerGroup[" + group.parameters().size() + " parameters, " + options + "]";
    }
}
