package org.trainer.core;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the tensors of the JSON reference fixtures: {"shape": [...], "data": [...], "dtype": ...}. */
public final class Fixtures {
    private Fixtures() {
    }

    /** An INT32 tensor when the node's dtype starts with "int", else float32 (also without a dtype). */
    public static Tensor tensor(JsonNode node) {
        int[] shape = ints(node.get("shape"));
        JsonNode data = node.get("data");
        JsonNode dtype = node.get("dtype");
        if (dtype != null && dtype.asText().startsWith("int")) {
            return Tensor.fromArray(ints(data), shape);
        }
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) data.get(i).asDouble();
        }
        return Tensor.fromArray(v, shape);
    }

    /** Like {@link #tensor}, but floating data as float64, for comparisons at double precision. */
    public static Tensor tensor64(JsonNode node) {
        int[] shape = ints(node.get("shape"));
        JsonNode data = node.get("data");
        JsonNode dtype = node.get("dtype");
        if (dtype != null && dtype.asText().startsWith("int")) {
            return Tensor.fromArray(ints(data), shape);
        }
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).asDouble();
        }
        return Tensor.fromArray(v, shape);
    }

    /**
     * A fixture case's "params" as op arguments: numbers, booleans and strings as they are, arrays
     * as double arrays, JSON null as absent.
     */
    public static OpParams params(JsonNode node) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (node != null) {
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isArray()) {
                    double[] a = new double[v.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = v.get(i).asDouble();
                    }
                    m.put(e.getKey(), a);
                } else if (v.isNumber()) {
                    m.put(e.getKey(), v.numberValue());
                } else if (v.isBoolean()) {
                    m.put(e.getKey(), v.asBoolean());
                } else if (v.isTextual()) {
                    m.put(e.getKey(), v.asText());
                }
            });
        }
        return new OpParams(m);
    }

    /** The integers of a JSON array. */
    public static int[] ints(JsonNode node) {
        int[] v = new int[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asInt();
        }
        return v;
    }
}
