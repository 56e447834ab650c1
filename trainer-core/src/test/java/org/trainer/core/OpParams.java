package org.trainer.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named scalar arguments of an op ({@code axis}, {@code keep}, {@code stride}, {@code
 * reduction}, ...), as a registry case states them or as a PyTorch fixture recorded them. Values
 * are numbers, booleans, strings, or arrays of numbers ({@code int[]} or {@code double[]}).
 */
public final class OpParams {
    /** No arguments. */
    public static final OpParams NONE = new OpParams(Map.of());

    private final Map<String, Object> values;

    /**
     * The arguments in a map.
     *
     * @param values name to value; copied
     */
    public OpParams(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Arguments from alternating names and values: {@code of("axis", 1, "keep", true)}. */
    public static OpParams of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("OpParams.of: expected name, value pairs, got "
                    + namesAndValues.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new OpParams(m);
    }

    /** Whether the argument is given (and not null). */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** A number. */
    public double d(String name) {
        return ((Number) get(name)).doubleValue();
    }

    /** An integer. */
    public int i(String name) {
        return ((Number) get(name)).intValue();
    }

    /** A boolean. */
    public boolean b(String name) {
        return (Boolean) get(name);
    }

    /** A string. */
    public String s(String name) {
        return (String) get(name);
    }

    /** Integers: an int or double array, or one number as an array of one. */
    public int[] ints(String name) {
        Object v = get(name);
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof double[] a) {
            int[] out = new int[a.length];
            for (int k = 0; k < a.length; k++) {
                out[k] = (int) a[k];
            }
            return out;
        }
        return new int[] {((Number) v).intValue()};
    }

    /** Floats from a number array, or null when the argument is absent or null. */
    public float[] floats(String name) {
        if (!has(name)) {
            return null;
        }
        if (values.get(name) instanceof float[] f) {
            return f.clone();
        }
        int[] asInts = values.get(name) instanceof int[] a ? a : null;
        double[] a = asInts != null ? java.util.Arrays.stream(asInts).asDoubleStream().toArray() : (double[]) get(name);
        float[] out = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = (float) a[k];
        }
        return out;
    }

    private Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("OpParams: no argument '" + name + "' among " + values.keySet());
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
