package org.trainer.core.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;

/**
 * Freezing, unfreezing and head replacement for transfer learning, by module path. A path names a
 * sub-module ("features", "features.3") or a parameter ("head.weight"); it matches whole dotted
 * segments, so "1" never reaches "10.weight". "" is the whole model.
 *
 * <p>A frozen parameter gets no gradient and optimizers skip it, so its value stays bitwise
 * unchanged. Buffers are not parameters: a frozen batch-norm layer still updates its running
 * statistics while the model is in training mode, as in PyTorch. The usual recipes:
 * <pre>{@code
 * FineTuning.replace(model, "head", new Linear(256, 5));  // a new output size
 * FineTuning.freezeAllBut(model, "head");                 // feature extraction
 * FineTuning.unfreezeTop(model, 2);                       // then fine-tune the top two layers too
 * }</pre>
 */
public final class FineTuning {
    private FineTuning() {
    }

    /**
     * Freezes everything under each path; returns how many parameters. Each path must match something;
     * all are checked before anything changes, so a bad path leaves the model as it was.
     *
     * @param model the model
     * @param paths module paths or dotted parameter names
     * @return the number of parameters frozen
     */
    public static int freeze(Module model, String... paths) {
        return set(model, false, "freeze", paths);
    }

    /**
     * Unfreezes everything under each path, as {@link #freeze} freezes; returns how many parameters.
     *
     * @param model the model
     * @param paths module paths or dotted parameter names
     * @return the number of parameters unfrozen
     */
    public static int unfreeze(Module model, String... paths) {
        return set(model, true, "unfreeze", paths);
    }

    /**
     * Freezes the whole model, then unfreezes the paths (e.g. the new head): feature extraction.
     * The paths are checked first: a bad one leaves the model as it was.
     *
     * @param model the model
     * @param paths the paths left trainable
     * @return the number of parameters unfrozen under the paths
     */
    public static int freezeAllBut(Module model, String... paths) {
        validate(model, "freezeAllBut", paths);
        model.setTrainable("", false);
        return set(model, true, "freezeAllBut", paths);
    }

    private static int set(Module model, boolean trainable, String op, String... paths) {
        validate(model, op, paths);
        int n = 0;
        for (String path : paths) {
            n += model.setTrainable(path, trainable);
        }
        return n;
    }

    /** Checks that every path is non-null and has a parameter under it, before anything is changed. */
    private static void validate(Module model, String op, String... paths) {
        if (paths == null) {
            throw new IllegalArgumentException("FineTuning." + op + ": paths is null");
        }
        var names = model.namedParameters().keySet();
        for (String path : paths) {
            check(path, op);
            if (names.stream().noneMatch(name -> under(name, path))) {
                throw new IllegalArgumentException("FineTuning." + op + ": no parameter under '" + path
                        + "'; layers: " + layers(model));
            }
        }
    }

    /**
     * The layers: the paths of the modules that own parameters directly, from the input to the output
     * (registration order), e.g. [features.0, features.1, features.4, head].
     *
     * @param model the model
     * @return the layers' paths
     */
    public static List<String> layers(Module model) {
        return new ArrayList<>(byLayer(model).keySet());
    }

    private static Map<String, List<Parameter>> byLayer(Module model) {
        Map<String, List<Parameter>> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            int dot = name.lastIndexOf('.');
            out.computeIfAbsent(dot < 0 ? "" : name.substring(0, dot), k -> new ArrayList<>()).add(p);
        });
        return out;
    }

    /**
     * Unfreezes the top {@code count} layers (those nearest the output, see {@link #layers}), leaving
     * the others as they are: "unfreeze from the top". Returns the unfrozen layers' paths.
     *
     * @param model the model
     * @param count the number of layers
     * @return the unfrozen layers' paths
     */
    public static List<String> unfreezeTop(Module model, int count) {
        Map<String, List<Parameter>> layers = byLayer(model);
        if (count < 0 || count > layers.size()) {
            throw new IllegalArgumentException("FineTuning.unfreezeTop: count must be in [0, " + layers.size()
                    + "] (the model's layers: " + layers.keySet() + "), got " + count);
        }
        List<String> names = new ArrayList<>(layers.keySet());
        List<String> top = names.subList(names.size() - count, names.size());
        top.forEach(l -> layers.get(l).forEach(p -> p.setTrainable(true)));
        return List.copyOf(top);
    }

    /**
     * The dotted names of the trainable parameters.
     *
     * @param model the model
     * @return the names
     */
    public static List<String> trainable(Module model) {
        List<String> out = new ArrayList<>();
        model.namedParameters().forEach((n, p) -> {
            if (p.isTrainable()) {
                out.add(n);
            }
        });
        return out;
    }

    /**
     * Replaces the sub-module at a dotted path ("head", "classifier.1") with another, e.g. a new head
     * with another output size; returns the module replaced. The new module's parameters are trainable
     * as constructed; build the optimizer after replacing.
     *
     * @param model the model
     * @param path the dotted path
     * @param replacement the new module
     * @return the old module
     */
    public static Module replace(Module model, String path, Module replacement) {
        check(path, "replace");
        if (path.isEmpty() || replacement == null) {
            throw new IllegalArgumentException("FineTuning.replace: needs a sub-module path and a module, got '"
                    + path + "' and " + replacement);
        }
        String[] parts = path.split("\\.");
        Module parent = model;
        for (int i = 0; i < parts.length - 1; i++) {
            Module next = parent.children().get(parts[i]);
            if (next == null) {
                throw new IllegalArgumentException("FineTuning.replace: no sub-module '" + parts[i] + "' on the path '"
                        + path + "'; have " + parent.children().keySet());
            }
            parent = next;
        }
        Module old = parent.children().get(parts[parts.length - 1]);
        parent.replaceModule(parts[parts.length - 1], replacement);
        return old;
    }

    private static String check(String path, String op) {
        if (path == null) {
            throw new IllegalArgumentException("FineTuning." + op + ": path is null");
        }
        return path;
    }

    /** Whether a dotted name lies under a path (whole segments; "" and paths ending in '.' are plain prefixes). */
    static boolean under(String name, String path) {
        if (path.isEmpty() || path.endsWith(".")) {
            return name.startsWith(path);
        }
        return name.equals(path) || name.startsWith(path + ".");
    }
}
