package org.trainer.core.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * Builds per-group learning rates by module path, for fine-tuning with a small rate on a
 * pre-trained body and a larger one on a new head:
 * <pre>{@code
 * List<ParameterGroup> groups = ParameterGroups.of(model)
 *         .add("head", 1e-2)          // first matching path wins
 *         .rest(1e-4)                 // everything else
 *         .build();
 * }</pre>
 * Frozen parameters are kept in their groups (optimizers skip them), so that unfreezing later
 * needs no new optimizer. Every parameter must land in a group: without {@link #rest} the
 * leftovers are an error.
 */
public final class ParameterGroups {
    private record Spec(String path, double lr, double weightDecay) {
    }

    private final Module model;
    private final List<Spec> specs = new ArrayList<>();
    private Spec rest;

    private ParameterGroups(Module model) {
        this.model = model;
    }

    /**
     * Starts the groups of this model's parameters; throws IllegalArgumentException when the model is null.
     *
     * @param model the model
     * @return the groups' builder
     */
    public static ParameterGroups of(Module model) {
        if (model == null) {
            throw new IllegalArgumentException("ParameterGroups: model is null");
        }
        return new ParameterGroups(model);
    }

    /**
     * A group of the parameters under a path, without weight decay. Returns this.
     *
     * @param path a module path
     * @param lr the learning rate
     * @return this builder
     */
    public ParameterGroups add(String path, double lr) {
        return add(path, lr, 0);
    }

    /**
     * A group of the parameters under a path. Returns this.
     *
     * @param path a module path
     * @param lr the learning rate
     * @param weightDecay the weight decay
     * @return this builder
     */
    public ParameterGroups add(String path, double lr, double weightDecay) {
        if (path == null) {
            throw new IllegalArgumentException("ParameterGroups.add: path is null");
        }
        specs.add(new Spec(path, lr, weightDecay));
        return this;
    }

    /**
     * The group of every parameter no path matched, without weight decay. Returns this.
     *
     * @param lr the learning rate
     * @return this builder
     */
    public ParameterGroups rest(double lr) {
        return rest(lr, 0);
    }

    /**
     * The group of every parameter no earlier path matched, with this learning rate and weight decay. Returns this.
     *
     * @param lr the learning rate
     * @param weightDecay the weight decay
     * @return this builder
     */
    public ParameterGroups rest(double lr, double weightDecay) {
        rest = new Spec("", lr, weightDecay);
        return this;
    }

    /**
     * The groups, in the order added (the rest last); each path must match at least one parameter.
     *
     * @return the groups
     */
    public List<ParameterGroup> build() {
        Map<Spec, List<Parameter>> members = new LinkedHashMap<>();
        specs.forEach(s -> members.put(s, new ArrayList<>()));
        List<Parameter> leftovers = new ArrayList<>();
        List<String> leftoverNames = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            for (Spec s : specs) {
                if (FineTuning.under(name, s.path)) {
                    members.get(s).add(p);
                    return;
                }
            }
            leftovers.add(p);
            leftoverNames.add(name);
        });
        List<ParameterGroup> out = new ArrayList<>();
        for (Map.Entry<Spec, List<Parameter>> e : members.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("ParameterGroups: no parameter under '" + e.getKey().path
                        + "' (or an earlier group took them all); layers: " + FineTuning.layers(model));
            }
            out.add(new ParameterGroup(e.getValue(), e.getKey().lr, e.getKey().weightDecay));
        }
        if (!leftovers.isEmpty()) {
            if (rest == null) {
                throw new IllegalArgumentException("ParameterGroups: " + leftoverNames
                        + " fall in no group; add rest(lr)");
            }
            out.add(new ParameterGroup(leftovers, rest.lr, rest.weightDecay));
        }
        return out;
    }
}
