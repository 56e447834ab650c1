package org.trainer.hpo;

import java.util.List;
import java.util.Objects;

/**
 * A choice among unordered values (strings, numbers, booleans). Samplers that model the
 * objective treat it one-hot; {@link #toUnit}/{@link #fromUnit} give an index-based position for
 * those that only need a point in [0, 1].
 *
 * @throws IllegalArgumentException when {@code choices} is empty or holds duplicates or nulls
 */
public record CategoricalRange(List<Object> choices) implements Range {

    public CategoricalRange {
        Objects.requireNonNull(choices, "choices");
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("CategoricalRange: choices must not be empty");
        }
        if (choices.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("CategoricalRange: choices must not contain null, got " + choices);
        }
        if (choices.stream().distinct().count() != choices.size()) {
            throw new IllegalArgumentException("CategoricalRange: choices must be distinct, got " + choices);
        }
        choices = List.copyOf(choices);
    }

    public static CategoricalRange of(Object... choices) {
        return new CategoricalRange(List.of(choices));
    }

    /** The number of choices k. */
    public int size() {
        return choices.size();
    }

    /** The position of {@code value} among the choices. */
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
