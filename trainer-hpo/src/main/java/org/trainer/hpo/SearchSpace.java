package org.trainer.hpo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Named hyperparameter ranges, in declaration order (the order of the unit-cube dimensions a
 * sampler works in, and of a grid's nesting). Immutable; build with {@link #builder()}.
 */
public final class SearchSpace {
    private final Map<String, Range> ranges;

    private SearchSpace(Map<String, Range> ranges) {
        this.ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    }

    /**
     * An empty builder; add ranges in the order samplers should see them.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A space of the given ranges, in the map's iteration order.
     *
     * @param ranges the ranges by name
     * @return the space
     */
    public static SearchSpace of(Map<String, Range> ranges) {
        Builder b = builder();
        ranges.forEach(b::add);
        return b.build();
    }

    /**
     * The ranges by name, in declaration order.
     *
     * @return the ranges
     */
    public Map<String, Range> ranges() {
        return ranges;
    }

    /**
     * The range of a parameter; throws IllegalArgumentException when the space has none of that name.
     *
     * @param name the parameter's name
     * @return its range
     */
    public Range range(String name) {
        Range r = ranges.get(name);
        if (r == null) {
            throw new IllegalArgumentException("SearchSpace: no parameter named '" + name + "'; have " + ranges.keySet());
        }
        return r;
    }

    /**
     * The number of parameters.
     *
     * @return the number of parameters
     */
    public int size() {
        return ranges.size();
    }

    /**
     * Whether the space has no parameter.
     *
     * @return whether it is empty
     */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchSpace s && s.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return "SearchSpace" + ranges;
    }

    /** Adds ranges one by one; a name may appear once. */
    public static final class Builder {
        private final Map<String, Range> ranges = new LinkedHashMap<>();

        /**
         * Adds a parameter; throws IllegalArgumentException when the name is blank or already added. Returns this.
         *
         * @param name the parameter's name
         * @param range its range
         * @return this builder
         */
        public Builder add(String name, Range range) {
            Objects.requireNonNull(name, "SearchSpace.Builder.add: name");
            Objects.requireNonNull(range, "SearchSpace.Builder.add: range");
            if (name.isBlank()) {
                throw new IllegalArgumentException("SearchSpace: a parameter name must not be blank");
            }
            if (ranges.putIfAbsent(name, range) != null) {
                throw new IllegalArgumentException("SearchSpace: parameter '" + name + "' is declared twice");
            }
            return this;
        }

        /**
         * The space of the ranges added, in the order added.
         *
         * @return the space
         */
        public SearchSpace build() {
            return new SearchSpace(ranges);
        }
    }
}
