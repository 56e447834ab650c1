package org.trainer.core.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;

/**
 * Renames the entries of a state dict saved under other names (PyTorch's {@code features.0.weight}
 * for our {@code conv.weight}) before loading. Rules apply in the order added; the first that
 * matches a name decides (rename, replace its prefix or drop the entry), and names no rule matches
 * pass through unchanged:
 * <pre>{@code
 * NameMap names = new NameMap()
 *         .prefix("features.0.", "conv.")
 *         .rename("classifier.weight", "head.weight")
 *         .dropSuffix(".num_batches_tracked");
 * }</pre>
 * A rename or prefix rule that matches nothing is an error when applied: a misspelt rule would
 * otherwise leave the pre-trained weights silently unloaded.
 */
public final class NameMap {
    private enum Kind { RENAME, PREFIX, DROP_PREFIX, DROP_SUFFIX }

    private record Rule(Kind kind, String from, String to) {
        String describe() {
            return switch (kind) {
                case RENAME -> "rename '" + from + "' -> '" + to + "'";
                case PREFIX -> "prefix '" + from + "' -> '" + to + "'";
                case DROP_PREFIX -> "drop '" + from + "*'";
                case DROP_SUFFIX -> "drop '*" + from + "'";
            };
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    /**
     * No rules: every name passes through.
     *
     * @return the map
     */
    public static NameMap identity() {
        return new NameMap();
    }

    /**
     * One exact name to another. Returns this.
     *
     * @param from the source name
     * @param to the model name
     * @return this map
     */
    public NameMap rename(String from, String to) {
        return add(Kind.RENAME, from, to);
    }

    /**
     * Names starting with {@code from} get {@code to} in its place ("features." -> "body."). Returns this.
     *
     * @param from the source prefix
     * @param to the model prefix
     * @return this map
     */
    public NameMap prefix(String from, String to) {
        return add(Kind.PREFIX, from, to);
    }

    /**
     * Leaves out the entries whose names start with the prefix (e.g. an old head). Returns this.
     *
     * @param prefix the prefix
     * @return this map
     */
    public NameMap drop(String prefix) {
        return add(Kind.DROP_PREFIX, prefix, null);
    }

    /**
     * Leaves out the entries whose names end with the suffix. Returns this.
     *
     * @param suffix the suffix
     * @return this map
     */
    public NameMap dropSuffix(String suffix) {
        return add(Kind.DROP_SUFFIX, suffix, null);
    }

    private NameMap add(Kind kind, String from, String to) {
        if (from == null || from.isEmpty()) {
            throw new IllegalArgumentException("NameMap: the name to match must be non-empty, got '" + from + "'");
        }
        if ((kind == Kind.RENAME || kind == Kind.PREFIX) && to == null) {
            throw new IllegalArgumentException("NameMap: the new name for '" + from + "' is null");
        }
        rules.add(new Rule(kind, from, to));
        return this;
    }

    /**
     * The state under the new names, in the source's order; the tensors are shared, not copied.
     *
     * @param source the weights by name
     * @return the renamed weights
     * @throws IllegalArgumentException when two names map to one, or a rename or prefix rule matched nothing
     */
    public Map<String, Tensor> apply(Map<String, Tensor> source) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        boolean[] used = new boolean[rules.size()];
        for (Map.Entry<String, Tensor> e : source.entrySet()) {
            String name = e.getKey();
            String mapped = name;
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                boolean hit = switch (r.kind) {
                    case RENAME -> name.equals(r.from);
                    case PREFIX, DROP_PREFIX -> name.startsWith(r.from);
                    case DROP_SUFFIX -> name.endsWith(r.from);
                };
                if (hit) {
                    used[i] = true;
                    mapped = switch (r.kind) {
                        case RENAME -> r.to;
                        case PREFIX -> r.to + name.substring(r.from.length());
                        default -> null;
                    };
                    break;
                }
            }
            if (mapped == null) {
                continue;
            }
            String before = origin.putIfAbsent(mapped, name);
            if (before != null) {
                throw new IllegalArgumentException("NameMap: '" + before + "' and '" + name + "' both map to '"
                        + mapped + "'");
            }
            out.put(mapped, e.getValue());
        }
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (!used[i] && (r.kind == Kind.RENAME || r.kind == Kind.PREFIX)) {
                throw new IllegalArgumentException("NameMap: rule " + r.describe() + " matched no name; the source has "
                        + List.copyOf(source.keySet()));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return rules.stream().map(Rule::describe).toList().toString();
    }
}
