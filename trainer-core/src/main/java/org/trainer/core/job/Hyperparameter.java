package org.trainer.core.job;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One declared hyperparameter: its name, type, default (null when required), for a choice the
 * allowed values, and for an integer or a number optional inclusive bounds. {@link #parse} turns a value read from {@code hyperparameters.json} into the
 * declared type. SageMaker passes every value as a JSON string ("0.01", "true"), other tools pass
 * JSON numbers and booleans: both are accepted, and the result is the same.
 */
public final class Hyperparameter {

    /** The value types: INTEGER holds a long, NUMBER a finite double, BOOLEAN, STRING, CHOICE a String. */
    public enum Type {
        /** A whole number (a long). */
        INTEGER("an integer"),
        /** A finite number (a double). */
        NUMBER("a finite number"),
        /** true or false. */
        BOOLEAN("true or false"),
        /** Any string. */
        STRING("a string"),
        /** One of a declared list of values. */
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
    /** Inclusive bounds of an INTEGER (Long) or NUMBER (Double); null when unbounded on that side. */
    private final Number min;
    private final Number max;

    Hyperparameter(String name, Type type, Object defaultValue, List<String> choices) {
        this(name, type, defaultValue, choices, null, null);
    }

    private Hyperparameter(String name, Type type, Object defaultValue, List<String> choices, Number min,
                           Number max) {
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
        this.min = min;
        this.max = max;
        if (defaultValue != null && (min != null || max != null) && outOfRange((Number) defaultValue)) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': default " + defaultValue
                    + " is not " + range());
        }
    }

    /**
     * This hyperparameter with inclusive bounds (null: unbounded on that side), replacing any
     * earlier ones. Refused: bounds on a type other than integer or number, a NaN bound, a
     * non-integral bound of an integer, min &gt; max, or a default outside the bounds.
     */
    Hyperparameter withBounds(Double min, Double max) {
        if (type != Type.INTEGER && type != Type.NUMBER) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': bounds apply to an integer or a "
                    + "number, and this is " + type.name().toLowerCase());
        }
        for (Double b : new Double[] {min, max}) {
            if (b != null && (Double.isNaN(b) || type == Type.INTEGER && (b != Math.rint(b)
                    || Math.abs(b) > 0x1p63))) {
                throw new IllegalArgumentException("Hyperparameter '" + name + "': bound " + b + " is not "
                        + (type == Type.INTEGER ? "an integer" : "a number"));
            }
        }
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException("Hyperparameter '" + name + "': min " + format(min) + " > max "
                    + format(max));
        }
        return new Hyperparameter(name, type, defaultValue, choices, asType(min), asType(max));
    }

    private Number asType(Double bound) {
        return bound == null ? null : type == Type.INTEGER ? (Number) (long) (double) bound : bound;
    }

    /**
     * The inclusive lower bound (Long or Double), or null.
     *
     * @return the lower bound, or null
     */
    public Number min() {
        return min;
    }

    /**
     * The inclusive upper bound (Long or Double), or null.
     *
     * @return the upper bound, or null
     */
    public Number max() {
        return max;
    }

    private boolean outOfRange(Number v) {
        if (type == Type.INTEGER) {
            long x = v.longValue();
            return min != null && x < min.longValue() || max != null && x > max.longValue();
        }
        double x = v.doubleValue();
        return min != null && x < min.doubleValue() || max != null && x > max.doubleValue();
    }

    /** The bounds for messages: "&gt;= 1", "&lt;= 0.5", "&gt;= 1 and &lt;= 512"; empty when unbounded. */
    String range() {
        String lo = min == null ? "" : ">= " + format(min);
        String hi = max == null ? "" : "<= " + format(max);
        return lo.isEmpty() || hi.isEmpty() ? lo + hi : lo + " and " + hi;
    }

    /** A number as a person writes it: 1 rather than 1.0 for an integral double. */
    private static String format(Number n) {
        double d = n.doubleValue();
        return n instanceof Double && d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString();
    }

    /**
     * The name, as it appears in {@code hyperparameters.json}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The value type.
     *
     * @return the type
     */
    public Type type() {
        return type;
    }

    /**
     * The default (Long, Double, Boolean or String), or null when the hyperparameter is required.
     *
     * @return the default, or null
     */
    public Object defaultValue() {
        return defaultValue;
    }

    /**
     * Whether the job fails when the value is missing (there is no default).
     *
     * @return whether the value is required
     */
    public boolean required() {
        return defaultValue == null;
    }

    /**
     * The allowed values of a choice; empty for the other types.
     *
     * @return the choices
     */
    public List<String> choices() {
        return choices;
    }

    /**
     * What a value must be, for messages: "an integer", "an integer >= 1", "one of [sgd, adam]".
     *
     * @return the description
     */
    public String expected() {
        String range = range();
        return type == Type.CHOICE ? "one of " + choices : range.isEmpty() ? type.expected : type.expected + " " + range;
    }

    /**
     * Converts a JSON value (String, Long, BigInteger, Double, Boolean or null; a List or Map for an
     * array or object) to the declared type: Long, Double, Boolean or String, within the declared
     * bounds.
     *
     * @param raw the JSON value
     * @return the typed value
     * @throws JobConfigurationException naming the hyperparameter, the value and what was expected:
     *                                   for a value out of bounds, {@code batch_size = -32, expected >= 1}
     */
    public Object parse(Object raw) {
        Object v = parseType(raw);
        if ((min != null || max != null) && outOfRange((Number) v)) {
            throw new JobConfigurationException(name + " = " + format((Number) v) + ", expected " + range());
        }
        return v;
    }

    private Object parseType(Object raw) {
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
                + (range().isEmpty() ? "" : " " + range())
                + (required() ? " (required)" : " = " + defaultValue);
    }
}
