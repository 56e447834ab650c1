package org.trainer.core.job;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One declared hyperparameter: its name, type, default (null when required) and, for a choice,
 * the allowed values. {@link #parse} turns a value read from {@code hyperparameters.json} into the
 * declared type. SageMaker passes every value as a JSON string ("0.01", "true"), other tools pass
 * JSON numbers and booleans: both are accepted, and the result is the same.
 */
public final class Hyperparameter {

    /** The value types: INTEGER holds a long, NUMBER a finite double, BOOLEAN, STRING, CHOICE a String. */
    public enum Type {
        INTEGER("an integer"), NUMBER("a finite number"), BOOLEAN("true or false"), STRING("a string"),
        CHOICE("one of the choices");

        private final String expected;

        Type(String expected) {
            this.expected = expected;
        }
    }

    /** A decimal number as JSON writes it (no hex, no "d"/"f" suffix, no NaN or Infinity). */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String name;
    private final Type type;
    private final Object defaultValue;
    private final List<String> choices;

    Hyperparameter(String name, Type type, Object defaultValue, List<String> choices) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Hyperparameter: name must be non-blank, got '" + name + "'");
        }
        this.name = name;
        this.type = type;
        this.choices = choices == null ? List.of() : List.copyOf(choices);
        if (type == Type.CHOICE && this.choices.isEmpty()) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': a choice needs at least one value");
        }
        if (type == Type.CHOICE && defaultValue != null && !this.choices.contains(defaultValue)) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': default '" + defaultValue
                    + "' is not one of " + this.choices);
        }
        if (type == Type.NUMBER && defaultValue != null && !Double.isFinite((Double) defaultValue)) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': default must be finite, got "
                    + defaultValue);
        }
        this.defaultValue = defaultValue;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The default (Long, Double, Boolean or String), or null when the hyperparameter is required. */
    public Object defaultValue() {
        return defaultValue;
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** The allowed values of a choice; empty for the other types. */
    public List<String> choices() {
        return choices;
    }

    /** What a value must be, for messages: "an integer", "one of [sgd, adam]". */
    public String expected() {
        return type == Type.CHOICE ? "one of " + choices : type.expected;
    }

    /**
     * Converts a JSON value (String, Long, BigInteger, Double, Boolean or null; a List or Map for an
     * array or object) to the declared type: Long, Double, Boolean or String.
     *
     * @throws JobConfigurationException naming the hyperparameter, the value and what was expected
     */
    public Object parse(Object raw) {
        if (raw == null || raw instanceof List || raw instanceof java.util.Map) {
            throw invalid(raw == null ? "null" : raw instanceof List ? "an array" : "an object");
        }
        switch (type) {
            case INTEGER -> {
                if (raw instanceof Long l) {
                    return l;
                }
                if (raw instanceof BigInteger) {
                    throw invalid(raw + " (beyond the 64-bit range)");
                }
                if (raw instanceof Double d) {
                    if (d == Math.rint(d) && Math.abs(d) <= 0x1p53) {
                        return (long) (double) d;
                    }
                    throw invalid(String.valueOf(d));
                }
                if (raw instanceof String s) {
                    try {
                        return Long.parseLong(s.trim());
                    } catch (NumberFormatException e) {
                        throw invalid(quote(s));
                    }
                }
                throw invalid(String.valueOf(raw));
            }
            case NUMBER -> {
                if (raw instanceof Long l) {
                    return (double) l;
                }
                if (raw instanceof Number n) {
                    double d = n.doubleValue();
                    if (Double.isFinite(d)) {
                        return d;
                    }
                    throw invalid(String.valueOf(raw));
                }
                if (raw instanceof String s && DECIMAL.matcher(s.trim()).matches()) {
                    double d = Double.parseDouble(s.trim());
                    if (Double.isFinite(d)) {
                        return d;
                    }
                }
                throw invalid(raw instanceof String s ? quote(s) : String.valueOf(raw));
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
                if (raw instanceof String s) {
                    // Python's str(True) is "True": accept any case.
                    if (s.trim().equalsIgnoreCase("true")) {
                        return true;
                    }
                    if (s.trim().equalsIgnoreCase("false")) {
                        return false;
                    }
                    throw invalid(quote(s));
                }
                throw invalid(String.valueOf(raw));
            }
            case STRING -> {
                return String.valueOf(raw);
            }
            default -> {
                String s = String.valueOf(raw);
                if (choices.contains(s)) {
                    return s;
                }
                throw invalid(raw instanceof String ? quote(s) : s);
            }
        }
    }

    private JobConfigurationException invalid(String got) {
        return new JobConfigurationException("hyperparameter '" + name + "' must be " + expected() + ", got " + got);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    @Override
    public String toString() {
        return name + ": " + type.name().toLowerCase() + (type == Type.CHOICE ? " " + choices : "")
                + (required() ? " (required)" : " = " + defaultValue);
    }
}
