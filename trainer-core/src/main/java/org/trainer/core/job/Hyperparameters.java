package org.trainer.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A job's hyperparameters, parsed into their declared types (see {@link HyperparameterSpec}).
 * Reading one under another type, or one that was never declared, is an error, so a typo in the
 * training code fails as loudly as a typo in {@code hyperparameters.json}.
 */
public final class Hyperparameters {
    private final Map<String, Hyperparameter> declared;
    private final Map<String, Object> values;
    private final Set<String> given;

    Hyperparameters(Map<String, Hyperparameter> declared, Map<String, Object> values, Set<String> given) {
        this.declared = Map.copyOf(declared);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.given = Set.copyOf(given);
    }

    /**
     * An integer hyperparameter that must fit an int.
     *
     * @param name the hyperparameter's name
     * @return the value
     */
    public int getInt(String name) {
        long v = getLong(name);
        if (v != (int) v) {
            throw new JobConfigurationException("hyperparameter '" + name + "' is " + v + ", beyond the int range");
        }
        return (int) v;
    }

    /**
     * An integer hyperparameter; throws IllegalArgumentException when it was not declared or is of another type.
     *
     * @param name the hyperparameter's name
     * @return the value
     */
    public long getLong(String name) {
        return (Long) typed(name, Hyperparameter.Type.INTEGER);
    }

    /**
     * A number hyperparameter; throws IllegalArgumentException when it was not declared or is of another type.
     *
     * @param name the hyperparameter's name
     * @return the value
     */
    public double getDouble(String name) {
        return (Double) typed(name, Hyperparameter.Type.NUMBER);
    }

    /**
     * A boolean hyperparameter; throws IllegalArgumentException when it was not declared or is of another type.
     *
     * @param name the hyperparameter's name
     * @return the value
     */
    public boolean getBoolean(String name) {
        return (Boolean) typed(name, Hyperparameter.Type.BOOLEAN);
    }

    /**
     * A string or choice hyperparameter.
     *
     * @param name the hyperparameter's name
     * @return the value
     */
    public String getString(String name) {
        Hyperparameter h = declaration(name);
        if (h.type() != Hyperparameter.Type.STRING && h.type() != Hyperparameter.Type.CHOICE) {
            throw wrongType(h, "a string");
        }
        return (String) values.get(name);
    }

    /**
     * A hyperparameter declared with {@link HyperparameterSpec#enumeration}, as the constant of
     * {@code type} it names.
     *
     * @param <E> the enum
     * @param name the hyperparameter's name
     * @param type the enum's class
     * @return the constant
     * @throws IllegalArgumentException when it is not a choice, or names no constant of {@code type}
     */
    public <E extends Enum<E>> E getEnum(String name, Class<E> type) {
        Hyperparameter h = declaration(name);
        if (h.type() != Hyperparameter.Type.CHOICE) {
            throw wrongType(h, "an enum");
        }
        String v = (String) values.get(name);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new IllegalArgumentException("Hyperparameters: '" + name + "' is \"" + v + "\", not a constant of "
                + type.getName());
    }

    /**
     * Whether hyperparameters.json set the value (false: the default applies).
     *
     * @param name the hyperparameter's name
     * @return whether the file set it
     */
    public boolean isSet(String name) {
        declaration(name);
        return given.contains(name);
    }

    /**
     * Every value (Long, Double, Boolean or String) by name, in declaration order.
     *
     * @return the values by name
     */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object typed(String name, Hyperparameter.Type type) {
        Hyperparameter h = declaration(name);
        if (h.type() != type) {
            throw wrongType(h, type.name().toLowerCase());
        }
        return values.get(name);
    }

    private Hyperparameter declaration(String name) {
        Hyperparameter h = declared.get(name);
        if (h == null) {
            throw new IllegalArgumentException("Hyperparameters: '" + name + "' was not declared; declared: "
                    + values.keySet());
        }
        return h;
    }

    private static IllegalArgumentException wrongType(Hyperparameter h, String asked) {
        return new IllegalArgumentException("Hyperparameters: '" + h.name() + "' is declared as "
                + h.type().name().toLowerCase() + ", read as " + asked);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
