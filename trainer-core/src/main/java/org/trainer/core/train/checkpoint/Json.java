package org.trainer.core.train.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The small JSON subset of trainer.json: objects whose values are strings, whole numbers (read
 * back as Long), booleans or nested objects. No floating point: every real number of a checkpoint
 * travels bitwise in a safetensors file instead.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    static byte[] write(Map<String, ?> object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            writeObject(g, object);
        } catch (IOException e) {
            throw new IllegalStateException("trainer.json: could not encode", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeObject(JsonGenerator g, Map<String, ?> object) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, ?> e : object.entrySet()) {
            g.writeFieldName(e.getKey());
            Object v = e.getValue();
            if (v instanceof String s) {
                g.writeString(s);
            } else if (v instanceof Integer || v instanceof Long) {
                g.writeNumber(((Number) v).longValue());
            } else if (v instanceof Boolean b) {
                g.writeBoolean(b);
            } else if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, ?> nested = (Map<String, ?>) m;
                writeObject(g, nested);
            } else {
                throw new IllegalArgumentException("trainer.json: '" + e.getKey() + "' holds a "
                        + (v == null ? "null" : v.getClass().getSimpleName())
                        + "; expected a String, Integer, Long, Boolean or Map");
            }
        }
        g.writeEndObject();
    }

    /** Parses an object; refuses anything outside the subset. */
    static Map<String, Object> read(byte[] bytes, String name) throws IOException {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(name + ": not a JSON object");
            }
            Map<String, Object> out = readObject(p, name);
            if (p.nextToken() != null) {
                throw new IOException(name + ": trailing content after the JSON object");
            }
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(name + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> readObject(JsonParser p, String name) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.getCurrentName();
            JsonToken v = p.nextToken();
            Object value = switch (v) {
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getLongValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case START_OBJECT -> readObject(p, name);
                default -> throw new IOException(name + ": '" + key + "' holds " + v
                        + "; expected a string, a whole number, a boolean or an object");
            };
            out.put(key, value);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException(name + ": unexpected " + t + " in an object");
        }
        return out;
    }
}
