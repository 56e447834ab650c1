package org.trainer.hpo;

import java.util.List;
import java.util.Objects;

/**
 * A choice among unordered values: each a String, Integer, Double (finite) or Boolean, the types
 * that a study journal stores and reads back as the very same value (a Float would come back a
 * Double, a Long an Integer, and the resumed range would no longer equal this one). Samplers that
 * model the objective treat it one-hot; {@link #toUnit}/{@link #fromUnit} give an index-based
 * position for those that only need a point in [0, 1].
 *
 * @param choices the values in order (copied; a choice's index is its position here)
 */
public record CategoricalRange(List<Object> choices) implements Range {

    /**
     * Validates the choices and keeps an unmodifiable copy of them.
     *
     * @param choices the values, in order
     * @throws IllegalArgumentException when {@code choices} is empty, holds duplicates or nulls, or
     *                                  a value of another type
     */
    public CategoricalRange {
        Objects.requireNonNull(choices, "CategoricalRange: choices");
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("CategoricalRange: choices must not be empty");
        }
        if (choices.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("CategoricalRange: choices must not contain null, got " + choices);
        }
        for (Object c : choices) {
            boolean allowed = c instanceof String || c instanceof Integer || c instanceof Boolean
                    || c instanceof Double d && Double.isFinite(d);
            if (!allowed) {
                throw new IllegalArgumentException("CategoricalRange: a choice must be a String, Integer, finite Double or"
                        + " Boolean, got " + c.getClass().getSimpleName() + " " + c + " in " + choices
                        + (c instanceof Number ? "; convert it (e.g. 1e-3f -> 1e-3, 64L -> 64)" : "; use its name"));
            }
        }
        if (choices.stream().distinct().count() != choices.size()) {
            throw new IllegalArgumentException("CategoricalRange: choices must be distinct, got " + choices);
        }
        choices = List.copyOf(choices);
    }

    /**
     * A choice among these values, in this order.
     *
     * @param choices the values, in order
     * @return the range
     */
    public static CategoricalRange of(Object... choices) {
        return new CategoricalRange(List.of(choices));
    }

    /**
     * The number of choices k.
     *
     * @return k
     */
    public int size() {
        return choices.size();
    }

    /**
     * The position of {@code value} among the choices.
     *
     * @param value a choice (IllegalArgumentException otherwise)
     * @return its index
     */
    public int indexOf(Object value) {
        int i = choices.indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException("CategoricalRange: " + value + " is not one of " + choices);
        }
        return i;
    }

    @Override
    public double toUnit(Object value) {
        return choices.size() == 1 ? 0 : indexOf(value) / (double) (choices.size() - 1);
    }

    @Override
    public Object fromUnit(double u) {
        int i = (int) Math.round(Math.min(1, Math.max(0, u)) * (choices.size() - 1));
        return choices.get(i);
    }

    @Override
    public boolean contains(Object value) {
        return choices.contains(value);
    }
}
