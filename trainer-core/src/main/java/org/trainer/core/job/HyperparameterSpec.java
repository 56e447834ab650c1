package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameters a {@link JobDefinition} accepts, each with a type and a default (or none,
 * when required). {@link #parse} reads {@code hyperparameters.json} against it: every name must be
 * declared, every value must parse into its type and lie within its declared bounds or choices, every
 * required one must be present; otherwise the job fails before training with a message naming the
 * hyperparameter, the value received and what was expected.
 *
 * <pre>{@code
 * new HyperparameterSpec()
 *         .integer("epochs", 10).between("epochs", 1, 1000)
 *         .integer("batch_size", 32).atLeast("batch_size", 1)
 *         .number("learning_rate", 0.05).between("learning_rate", 0, 10)
 *         .bool("shuffle", true)
 *         .choice("optimizer", "sgd", "sgd", "adam")
 *         .enumeration("activation", Activation.class, Activation.RELU);
 * }</pre>
 */
public final class HyperparameterSpec {
    private final Map<String, Hyperparameter> declared = new LinkedHashMap<>();

    /**
     * An integer (held as a long) with a default. Returns this.
     *
     * @param name the name
     * @param defaultValue the default
     * @return this spec
     */
    public HyperparameterSpec integer(String name, long defaultValue) {
        return add(new Hyperparameter(name, Hyperparameter.Type.INTEGER, defaultValue, null));
    }

    /**
     * A required integer. Returns this.
     *
     * @param name the name
     * @return this spec
     */
    public HyperparameterSpec integer(String name) {
        return add(new Hyperparameter(name, Hyperparameter.Type.INTEGER, null, null));
    }

    /**
     * A finite floating-point number with a default. Returns this.
     *
     * @param name the name
     * @param defaultValue the default
     * @return this spec
     */
    public HyperparameterSpec number(String name, double defaultValue) {
        return add(new Hyperparameter(name, Hyperparameter.Type.NUMBER, defaultValue, null));
    }

    /**
     * A required finite number. Returns this.
     *
     * @param name the name
     * @return this spec
     */
    public HyperparameterSpec number(String name) {
        return add(new Hyperparameter(name, Hyperparameter.Type.NUMBER, null, null));
    }

    /**
     * A boolean with a default. Returns this.
     *
     * @param name the name
     * @param defaultValue the default
     * @return this spec
     */
    public HyperparameterSpec bool(String name, boolean defaultValue) {
        return add(new Hyperparameter(name, Hyperparameter.Type.BOOLEAN, defaultValue, null));
    }

    /**
     * A required boolean. Returns this.
     *
     * @param name the name
     * @return this spec
     */
    public HyperparameterSpec bool(String name) {
        return add(new Hyperparameter(name, Hyperparameter.Type.BOOLEAN, null, null));
    }

    /**
     * A free-form string with a default. Returns this.
     *
     * @param name the name
     * @param defaultValue the default
     * @return this spec
     */
    public HyperparameterSpec string(String name, String defaultValue) {
        if (defaultValue == null) {
            throw new IllegalArgumentException("HyperparameterSpec: default of '" + name
                    + "' is null; use string(name) for a required string");
        }
        return add(new Hyperparameter(name, Hyperparameter.Type.STRING, defaultValue, null));
    }

    /**
     * A required free-form string. Returns this.
     *
     * @param name the name
     * @return this spec
     */
    public HyperparameterSpec string(String name) {
        return add(new Hyperparameter(name, Hyperparameter.Type.STRING, null, null));
    }

    /**
     * One of a fixed set of strings; {@code defaultValue} null makes it required. Returns this.
     *
     * @param name the name
     * @param defaultValue the default, or null
     * @param choices the allowed values
     * @return this spec
     */
    public HyperparameterSpec choice(String name, String defaultValue, String... choices) {
        return add(new Hyperparameter(name, Hyperparameter.Type.CHOICE, defaultValue, Arrays.asList(choices)));
    }

    /**
     * One of an enum's constants, by name (as {@code Enum.name()} spells it); read it with
     * {@link Hyperparameters#getEnum}. {@code defaultValue} null makes it required. Returns this.
     *
     * @param <E> the enum
     * @param name the name
     * @param type the enum's class
     * @param defaultValue the default, or null
     * @return this spec
     */
    public <E extends Enum<E>> HyperparameterSpec enumeration(String name, Class<E> type, E defaultValue) {
        if (type == null) {
            throw new IllegalArgumentException("HyperparameterSpec: enum type of '" + name + "' is null");
        }
        String[] names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toArray(String[]::new);
        return choice(name, defaultValue == null ? null : defaultValue.name(), names);
    }

    /**
     * Declares an inclusive lower bound for the integer or number {@code name}, declared before;
     * a value below it fails the job with e.g. {@code hyperparameters.json: batch_size = -32,
     * expected >= 1}. Refused (IllegalArgumentException): an undeclared name, another type, a
     * non-integral bound of an integer, a bound that excludes the default. Returns this.
     *
     * @param name a declared integer or number
     * @param min the lower bound
     * @return this spec
     */
    public HyperparameterSpec atLeast(String name, double min) {
        Hyperparameter h = declaration(name);
        return replace(h.withBounds(min, h.max() == null ? null : h.max().doubleValue()));
    }

    /**
     * An inclusive upper bound, as {@link #atLeast}. Returns this.
     *
     * @param name a declared integer or number
     * @param max the upper bound
     * @return this spec
     */
    public HyperparameterSpec atMost(String name, double max) {
        Hyperparameter h = declaration(name);
        return replace(h.withBounds(h.min() == null ? null : h.min().doubleValue(), max));
    }

    /**
     * Inclusive bounds on both sides, as {@link #atLeast}; min &gt; max is refused. Returns this.
     *
     * @param name a declared integer or number
     * @param min the lower bound
     * @param max the upper bound
     * @return this spec
     */
    public HyperparameterSpec between(String name, double min, double max) {
        return replace(declaration(name).withBounds(min, max));
    }

    private Hyperparameter declaration(String name) {
        Hyperparameter h = declared.get(name);
        if (h == null) {
            throw new IllegalArgumentException("HyperparameterSpec: '" + name + "' is not declared; declare it before"
                    + " its bounds; declared: " + List.copyOf(declared.keySet()));
        }
        return h;
    }

    private HyperparameterSpec replace(Hyperparameter h) {
        declared.put(h.name(), h);
        return this;
    }

    private HyperparameterSpec add(Hyperparameter h) {
        if (declared.putIfAbsent(h.name(), h) != null) {
            throw new IllegalArgumentException("HyperparameterSpec: '" + h.name() + "' is declared twice");
        }
        return this;
    }

    /**
     * The declarations, by name, in declaration order.
     *
     * @return the declarations
     */
    public Map<String, Hyperparameter> declared() {
        return Collections.unmodifiableMap(declared);
    }

    /**
     * Parses raw values (as read from JSON: String, Long, BigInteger, Double, Boolean, null, List, Map)
     * into typed hyperparameters; absent ones take their defaults.
     *
     * @param raw the values by name
     * @return the hyperparameters
     * @throws JobConfigurationException for an unknown name, an ill-typed value or a missing required one
     */
    public Hyperparameters parse(Map<String, ?> raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : raw.keySet()) {
            if (!declared.containsKey(name)) {
                throw new JobConfigurationException("unknown hyperparameter '" + name + "'; declared: "
                        + List.copyOf(declared.keySet()));
            }
        }
        for (Hyperparameter h : declared.values()) {
            if (raw.containsKey(h.name())) {
                values.put(h.name(), h.parse(raw.get(h.name())));
            } else if (h.required()) {
                throw new JobConfigurationException("hyperparameter '" + h.name() + "' is required (" + h.expected()
                        + ") but absent");
            } else {
                values.put(h.name(), h.defaultValue());
            }
        }
        return new Hyperparameters(declared, values, raw.keySet());
    }

    /**
     * Reads and parses {@code hyperparameters.json}: a JSON object of name to value. A missing file
     * means no values are set (every default applies).
     *
     * @param file the hyperparameters file
     * @return the hyperparameters
     * @throws IOException if the file exists but cannot be read
     */
    public Hyperparameters parse(Path file) throws IOException {
        if (!Files.exists(file)) {
            return parse(Map.of());
        }
        Map<String, Object> raw;
        try {
            raw = JsonFiles.readObject(file);
        } catch (JobConfigurationException e) {
            throw new JobConfigurationException(file.getFileName() + ": " + e.getMessage(), e);
        }
        try {
            return parse(raw);
        } catch (JobConfigurationException e) {
            throw new JobConfigurationException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return declared.values().toString();
    }
}
