package org.trainer.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.ParameterGroup;

/**
 * The per-parameter state of one optimizer (named buffers shaped like the parameter, and a step
 * count) and its flat form for checkpoints. As in PyTorch's {@code state_dict}, parameters are
 * numbered 0, 1, ... through the groups in order, and the flat form holds
 * <pre>
 *   state.&lt;i&gt;.&lt;buffer&gt;   a buffer of parameter i (the parameter's shape and dtype)
 *   state.&lt;i&gt;.step       the steps parameter i has taken (float64 scalar), for optimizers that count them
 *   param_groups.&lt;j&gt;.lr   group j's current learning rate (float64 scalar)
 * </pre>
 * A parameter has state only once it has been updated, so a flat form may hold some indices and
 * not others. The map suits {@link org.trainer.core.io.Safetensors#save(Map, Map, java.nio.file.Path)}.
 */
final class OptimizerState {
    private static final String STEP = "step";

    private final String owner;
    private final List<ParameterGroup> groups;
    private final List<List<String>> names;
    private final List<double[]> initials;
    private final boolean countsSteps;
    private final Map<Parameter, Integer> groupOf = new IdentityHashMap<>();
    private final Map<Parameter, ParameterState> slots = new IdentityHashMap<>();

    /**
     * @param owner       the optimizer's name, for messages
     * @param groups      the optimizer's groups (not copied: learning rates are read and restored live)
     * @param bufferNames per group, the buffers each of its parameters holds, in slot order
     * @param initials    per group, the value each buffer starts with (one per name)
     * @param countsSteps whether each parameter's step count is state
     */
    OptimizerState(String owner, List<ParameterGroup> groups, List<List<String>> bufferNames, List<double[]> initials,
                   boolean countsSteps) {
        this.owner = owner;
        this.groups = groups;
        this.names = bufferNames.stream().map(List::copyOf).toList();
        this.initials = initials.stream().map(double[]::clone).toList();
        this.countsSteps = countsSteps;
        for (int j = 0; j < groups.size(); j++) {
            for (Parameter p : groups.get(j).parameters()) {
                groupOf.put(p, j);
            }
        }
    }

    /**
     * The groups, copied, after checking that there is at least one and that no parameter is in two
     * of them (its state would be ambiguous).
     */
    static List<ParameterGroup> checkGroups(String owner, List<ParameterGroup> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(owner + ": expected at least one parameter group");
        }
        Map<Parameter, Integer> seen = new IdentityHashMap<>();
        for (int j = 0; j < groups.size(); j++) {
            for (Parameter p : groups.get(j).parameters()) {
                Integer before = seen.put(p, j);
                if (before != null) {
                    throw new IllegalArgumentException(owner + ": a parameter appears in more than one group (group "
                            + before + " and group " + j + ")");
                }
            }
        }
        return new ArrayList<>(groups);
    }

    /** The state of p, or null before its first update. */
    ParameterState find(Parameter p) {
        return slots.get(p);
    }

    /** The state of p, created with its group's buffers at their initial values on first use. */
    ParameterState findOrCreate(Parameter p) {
        ParameterState s = slots.get(p);
        return s != null ? s : create(p);
    }

    private ParameterState create(Parameter p) {
        int j = groupOf.get(p);
        List<String> n = names.get(j);
        double[] initial = initials.get(j);
        Tensor w = p.value();
        Tensor[] buffers = new Tensor[n.size()];
        // State outlives any step, so it must never come from (and go back to) a step's pool.
        try (MemoryScope keep = MemoryScope.persistent()) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = Tensor.zeros(w.backend(), w.dtype(), w.shape());
                if (initial[i] != 0) {
                    w.backend().fill(buffers[i].storage(), initial[i]);
                }
            }
        }
        ParameterState s = new ParameterState(n, buffers, 0, true);
        slots.put(p, s);
        return s;
    }

    /** A snapshot of the state in the flat form: copies, unaffected by later steps. */
    Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (MemoryScope keep = MemoryScope.persistent()) {
            int i = 0;
            for (ParameterGroup g : groups) {
                for (Parameter p : g.parameters()) {
                    ParameterState s = slots.get(p);
                    if (s != null) {
                        List<String> n = s.bufferNames();
                        for (int b = 0; b < n.size(); b++) {
                            Tensor t = s.buffers()[b];
                            out.put("state." + i + "." + n.get(b),
                                    Tensor.zeros(t.backend(), t.dtype(), t.shape()).copyFrom(t));
                        }
                        if (countsSteps) {
                            out.put("state." + i + "." + STEP, Tensor.full(DType.FLOAT64, s.step()));
                        }
                    }
                    i++;
                }
            }
            for (int j = 0; j < groups.size(); j++) {
                out.put("param_groups." + j + ".lr", Tensor.full(DType.FLOAT64, groups.get(j).learningRate()));
            }
        }
        return out;
    }

    /**
     * Replaces the state with a flat form from {@link #stateDict()} (copied, converted to each
     * parameter's dtype and device). Everything is checked before anything changes: an unknown key
     * (a buffer that the parameter's group does not keep included), a shape that differs from the
     * parameter's, a parameter with some of its entries missing, or a group without its learning
     * rate is refused with the key named.
     */
    void loadStateDict(Map<String, Tensor> state) {
        List<Parameter> flat = new ArrayList<>();
        groups.forEach(g -> flat.addAll(g.parameters()));
        Map<Integer, Tensor[]> buffers = new LinkedHashMap<>();
        Map<Integer, Long> steps = new LinkedHashMap<>();
        double[] lrs = new double[groups.size()];
        boolean[] lrSeen = new boolean[groups.size()];
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            String[] parts = key.split("\\.", -1);
            if (parts.length == 3 && parts[0].equals("param_groups") && parts[2].equals("lr")) {
                int j = index(key, parts[1], groups.size());
                lrs[j] = scalar(key, t);
                lrSeen[j] = true;
            } else if (parts.length == 3 && parts[0].equals("state")) {
                int i = index(key, parts[1], flat.size());
                List<String> n = namesOf(flat.get(i));
                if (countsSteps && parts[2].equals(STEP)) {
                    double v = scalar(key, t);
                    if (!(v >= 0 && v == Math.rint(v))) {
                        throw new IllegalArgumentException(owner + ".loadStateDict: " + key
                                + " must be a whole number >= 0, got " + v);
                    }
                    steps.put(i, (long) v);
                } else {
                    int b = n.indexOf(parts[2]);
                    if (b < 0) {
                        throw unexpected(key, n);
                    }
                    int[] expected = flat.get(i).value().shape();
                    if (!Arrays.equals(expected, t.shape())) {
                        throw new IllegalArgumentException(owner + ".loadStateDict: " + key + " has shape "
                                + Arrays.toString(t.shape()) + " but parameter " + i + " has shape "
                                + Arrays.toString(expected));
                    }
                    buffers.computeIfAbsent(i, k -> new Tensor[n.size()])[b] = t;
                }
            } else {
                throw unexpected(key, allNames());
            }
        }
        TreeSet<String> missing = new TreeSet<>();
        TreeSet<Integer> indices = new TreeSet<>(buffers.keySet());
        indices.addAll(steps.keySet());
        for (int i : indices) {
            List<String> n = namesOf(flat.get(i));
            Tensor[] b = buffers.getOrDefault(i, new Tensor[n.size()]);
            for (int k = 0; k < n.size(); k++) {
                if (b[k] == null) {
                    missing.add("state." + i + "." + n.get(k));
                }
            }
            if (countsSteps && !steps.containsKey(i)) {
                missing.add("state." + i + "." + STEP);
            }
        }
        for (int j = 0; j < groups.size(); j++) {
            if (!lrSeen[j]) {
                missing.add("param_groups." + j + ".lr");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(owner + ".loadStateDict: missing " + missing);
        }
        for (int j = 0; j < groups.size(); j++) {
            Arguments.nonNegative(owner + ".loadStateDict", "param_groups." + j + ".lr", lrs[j]);
        }
        for (int j = 0; j < groups.size(); j++) {
            groups.get(j).setLearningRate(lrs[j]);
        }
        slots.clear();
        try (MemoryScope keep = MemoryScope.persistent()) {
            for (int i : indices) {
                Parameter p = flat.get(i);
                Tensor w = p.value();
                List<String> n = namesOf(p);
                Tensor[] given = buffers.getOrDefault(i, new Tensor[0]);
                Tensor[] own = new Tensor[n.size()];
                for (int k = 0; k < own.length; k++) {
                    Tensor src = given[k].detach().to(w.dtype()).to(w.device());
                    own[k] = Tensor.zeros(w.backend(), w.dtype(), w.shape()).copyFrom(src);
                }
                slots.put(p, new ParameterState(n, own, countsSteps ? steps.get(i) : 0, false));
            }
        }
    }

    private List<String> namesOf(Parameter p) {
        return names.get(groupOf.get(p));
    }

    /** Every buffer name of any group, in first-seen order. */
    private List<String> allNames() {
        return names.stream().flatMap(List::stream).distinct().toList();
    }

    private int index(String key, String text, int bound) {
        int i;
        try {
            i = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw unexpected(key, allNames());
        }
        if (i < 0 || i >= bound) {
            throw new IllegalArgumentException(owner + ".loadStateDict: " + key + " names index " + i
                    + ", expected 0.." + (bound - 1));
        }
        return i;
    }

    private double scalar(String key, Tensor t) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException(owner + ".loadStateDict: " + key + " must hold one value, got shape "
                    + Arrays.toString(t.shape()));
        }
        return t.item();
    }

    private IllegalArgumentException unexpected(String key, List<String> names) {
        return new IllegalArgumentException(owner + ".loadStateDict: unexpected key '" + key + "' (expected state.<i>."
                + names + (countsSteps ? ", state.<i>.step" : "") + " or param_groups.<j>.lr)");
    }
}
