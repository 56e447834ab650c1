package org.trainer.hpo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Ranges and parameter values to and from JSON, exactly: a value is decoded through its range,
 * so a Double stays a Double, an Integer an Integer, and a categorical value comes back as the
 * very choice it was ({@link CategoricalRange} admits only String, Integer, finite Double and
 * Boolean choices, which JSON keeps apart: a stored range reads back equal to the original).
 */
final class JsonCodec {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonCodec() {
    }

    static ObjectNode range(Range range) {
        ObjectNode n = MAPPER.createObjectNode();
        if (range instanceof FloatRange f) {
            n.put("type", "float").put("low", f.low()).put("high", f.high()).put("scale", f.scale().name());
        } else if (range instanceof IntRange i) {
            n.put("type", "int").put("low", i.low()).put("high", i.high()).put("scale", i.scale().name());
        } else {
            n.put("type", "categorical");
            ArrayNode a = n.putArray("choices");
            for (Object choice : ((CategoricalRange) range).choices()) {
                a.add(value(choice));
            }
        }
        return n;
    }

    /** @throws IllegalArgumentException naming the field when the JSON is not a range */
    static Range range(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("JsonCodec: a range must be an object with a \"type\", got " + n);
        }
        String type = n.path("type").asText();
        if (type.equals("float") || type.equals("int")) {
            for (String field : new String[] {"low", "high"}) {
                if (!n.path(field).isNumber()) {
                    throw new IllegalArgumentException("JsonCodec: a " + type + " range needs a number \"" + field
                            + "\", got " + n.get(field) + " in " + n);
                }
            }
            if (!n.path("scale").isTextual() || java.util.Arrays.stream(Scale.values())
                    .noneMatch(s -> s.name().equals(n.get("scale").asText()))) {
                throw new IllegalArgumentException("JsonCodec: a " + type + " range needs \"scale\" one of "
                        + java.util.Arrays.toString(Scale.values()) + ", got " + n.get("scale") + " in " + n);
            }
        } else if (type.equals("categorical") && !n.path("choices").isArray()) {
            throw new IllegalArgumentException("JsonCodec: a categorical range needs an array \"choices\", got "
                    + n.get("choices") + " in " + n);
        }
        return switch (type) {
            case "float" -> new FloatRange(n.get("low").asDouble(), n.get("high").asDouble(), Scale.valueOf(n.get("scale").asText()));
            case "int" -> new IntRange(n.get("low").asInt(), n.get("high").asInt(), Scale.valueOf(n.get("scale").asText()));
            case "categorical" -> {
                List<Object> choices = new ArrayList<>();
                n.get("choices").forEach(c -> choices.add(plain(c)));
                yield new CategoricalRange(choices);
            }
            default -> throw new IllegalArgumentException("JsonCodec: unknown range type '" + type + "' in " + n);
        };
    }

    static JsonNode value(Object v) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return MAPPER.valueToTree(v);
        }
        throw new IllegalArgumentException("JsonCodec: a stored parameter value must be a String, Number or Boolean, got "
                + (v == null ? "null" : v.getClass().getName() + " " + v));
    }

    /** A value of {@code range} from its JSON. */
    static Object value(JsonNode n, Range range) {
        if (range instanceof FloatRange) {
            return n.asDouble();
        }
        if (range instanceof IntRange) {
            return n.asInt();
        }
        CategoricalRange c = (CategoricalRange) range;
        for (Object choice : c.choices()) {
            if (sameJson(value(choice), n)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("JsonCodec: " + n + " is not one of " + c.choices());
    }

    private static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.isIntegralNumber() == b.isIntegralNumber() && a.numberValue().doubleValue() == b.numberValue().doubleValue();
        }
        return a.equals(b);
    }

    private static Object plain(JsonNode n) {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isInt()) {
            return n.asInt();
        }
        if (n.isFloatingPointNumber()) {
            return n.asDouble();
        }
        throw new IllegalArgumentException("JsonCodec: a categorical choice must be a string, int, double or boolean, got "
                + n);
    }

    static ObjectNode ranges(Map<String, Range> ranges) {
        ObjectNode n = MAPPER.createObjectNode();
        ranges.forEach((k, r) -> n.set(k, range(r)));
        return n;
    }

    static Map<String, Range> ranges(JsonNode n) {
        Map<String, Range> out = new LinkedHashMap<>();
        if (n != null) {
            n.fields().forEachRemaining(e -> out.put(e.getKey(), range(e.getValue())));
        }
        return out;
    }

    static ObjectNode params(Map<String, Object> params) {
        ObjectNode n = MAPPER.createObjectNode();
        params.forEach((k, v) -> n.set(k, value(v)));
        return n;
    }

    static Map<String, Object> params(JsonNode n, Map<String, Range> ranges) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (n != null) {
            n.fields().forEachRemaining(e -> {
                Range r = ranges.get(e.getKey());
                if (r == null) {
                    throw new IllegalArgumentException("JsonCodec: parameter '" + e.getKey() + "' has no range in " + ranges.keySet());
                }
                out.put(e.getKey(), value(e.getValue(), r));
            });
        }
        return out;
    }
}
