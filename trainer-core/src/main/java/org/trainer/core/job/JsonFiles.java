package org.trainer.core.job;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.trainer.core.io.AtomicFile;

/**
 * The job's small files: JSON read into plain Java values with Jackson's streaming parser, and
 * every file written atomically (a temporary name in the same directory, forced to disk, renamed),
 * so a reader never sees half a file even when the job dies mid-write.
 */
final class JsonFiles {
    /**
     * NaN and the infinities are written and read as the bare tokens NaN, Infinity and -Infinity, as
     * Python's json module does (a diverged loss stays a float there, not a string).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private JsonFiles() {
    }

    /** What a JSON generator writes. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * Reads a JSON object into a map of String, Long, BigInteger, Double, Boolean, null, List and Map values.
     *
     * @throws JobConfigurationException when the text is not a JSON object (with the line and column)
     */
    static Map<String, Object> readObject(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try (JsonParser p = JSON.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new JobConfigurationException("expected a JSON object, got "
                        + (t == null ? "an empty file" : t.asString() == null ? t.name() : t.asString()));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) value(p);
            if (p.nextToken() != null) {
                throw new JobConfigurationException("unexpected text after the JSON object at line "
                        + p.currentLocation().getLineNr());
            }
            return out;
        } catch (JsonParseException e) {
            throw new JobConfigurationException("not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    m.put(key, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JobConfigurationException("unexpected JSON token " + p.currentToken());
        }
    }

    /** Writes pretty-printed JSON atomically. */
    static void write(Path file, Writer body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.useDefaultPrettyPrinter();
            body.write(g);
        }
        bytes.write('\n');
        writeAtomically(file, bytes.toByteArray());
    }

    /** Writes a map of scalars (Number, Boolean, String, null) as one JSON object, atomically. */
    static void writeObject(Path file, Map<String, ?> values) throws IOException {
        write(file, g -> {
            g.writeStartObject();
            for (Map.Entry<String, ?> e : values.entrySet()) {
                g.writeFieldName(e.getKey());
                scalar(g, e.getValue());
            }
            g.writeEndObject();
        });
    }

    static void scalar(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Double d) {
            // NaN and the infinities as bare NaN, Infinity, -Infinity (not strict JSON, but Python's json module's form).
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            scalar(g, (double) f);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    /** Writes UTF-8 text atomically. */
    static void writeText(Path file, String text) throws IOException {
        writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        AtomicFile.write(file, bytes);
    }
}
