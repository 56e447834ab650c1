package org.trainer.hpo;

import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * One journal line to one event, checked: the line must hold exactly one JSON object (a second
 * record on the same line, as a lost newline leaves, or any other trailing content is refused
 * rather than dropped), and the object must have the fields its event needs, with their types.
 * Every refusal is an {@link IllegalStateException} naming the file, the line and what was
 * expected. The events keep their line numbers ({@link Lines}) so that a later check (a finish
 * for a trial that never started) can name its line too.
 */
final class JournalEvents {
    private static final ObjectReader READER = JsonCodec.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private JournalEvents() {
    }

    /** Events with the line each came from. Immutable. */
    static final class Lines extends AbstractList<JsonNode> {
        private final List<JsonNode> events = new ArrayList<>();
        private final List<Integer> lines = new ArrayList<>();

        private void add(JsonNode e, int line) {
            events.add(e);
            lines.add(line);
        }

        /** The 1-based line of event {@code index} in its file. */
        int line(int index) {
            return lines.get(index);
        }

        @Override
        public JsonNode get(int index) {
            return events.get(index);
        }

        @Override
        public int size() {
            return events.size();
        }
    }

    /** A builder of {@link Lines}: parses and checks each non-blank line given. */
    static final class Parser {
        private final Path file;
        private final Lines out = new Lines();

        Parser(Path file) {
            this.file = file;
        }

        void line(int number, String text) {
            if (!text.isBlank()) {
                out.add(parse(file, number, text), number);
            }
        }

        Lines events() {
            return out;
        }
    }

    /**
     * Parses one line into a checked event.
     *
     * @throws IllegalStateException naming file and line when the line is not one event object
     */
    static JsonNode parse(Path file, int line, String text) {
        JsonNode e;
        try {
            e = READER.readTree(text);
        } catch (JsonProcessingException ex) {
            if (ex.getOriginalMessage().startsWith("Trailing token")) {
                throw new IllegalStateException("Journal: " + file + " line " + line + " holds more than one JSON value "
                        + "(content after column " + ex.getLocation().getColumnNr() + "; a lost newline between two "
                        + "records?), expected one event object per line: " + clip(text), ex);
            }
            throw new IllegalStateException("Journal: " + file + " line " + line + " is not JSON: " + clip(text)
                    + " (expected one event object per line; " + ex.getOriginalMessage() + " at column "
                    + ex.getLocation().getColumnNr() + ")", ex);
        }
        if (e == null || !e.isObject()) {
            throw new IllegalStateException("Journal: " + file + " line " + line + " is not a JSON object; expected one"
                    + " event object per line: " + clip(text));
        }
        String problem = check(e);
        if (problem != null) {
            throw new IllegalStateException("Journal: " + file + " line " + line + ": " + problem + ": " + clip(text));
        }
        return e;
    }

    /** What is wrong with an event's fields, or null. */
    private static String check(JsonNode e) {
        JsonNode kind = e.get("event");
        if (kind == null || !kind.isTextual()) {
            return "expected a string field \"event\" (study, start, report or finish)";
        }
        String k = kind.asText();
        String p;
        switch (k) {
            case "study" -> {
                if ((p = text(e, "name", false)) != null || (p = oneOf(e, "direction", Direction.class)) != null
                        || (p = integer(e, "seed", false)) != null) {
                    return "a study event " + p;
                }
            }
            case "start" -> {
                if ((p = integer(e, "number", true)) != null || (p = integer(e, "seed", false)) != null
                        || (p = object(e, "params")) != null || (p = object(e, "distributions")) != null
                        || (p = text(e, "worker", true)) != null) {
                    return "a start event " + p;
                }
            }
            case "report" -> {
                if ((p = integer(e, "number", true)) != null || (p = integer(e, "step", false)) != null
                        || (p = number(e, "value", false)) != null || (p = text(e, "worker", true)) != null) {
                    return "a report event " + p;
                }
            }
            case "finish" -> {
                if ((p = integer(e, "number", true)) != null || (p = oneOf(e, "state", TrialState.class)) != null
                        || (p = number(e, "value", true)) != null || (p = text(e, "error", true)) != null
                        || (p = object(e, "params")) != null || (p = object(e, "distributions")) != null
                        || (p = text(e, "worker", true)) != null) {
                    return "a finish event " + p;
                }
            }
            default -> {
                return "unknown event '" + k + "', expected study, start, report or finish";
            }
        }
        return null;
    }

    private static String integer(JsonNode e, String field, boolean trialNumber) {
        JsonNode v = e.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()
                || (trialNumber && (!v.canConvertToInt() || v.asInt() < 0))) {
            return "needs \"" + field + "\" " + (trialNumber ? "a whole number >= 0" : "a whole number") + ", got " + v;
        }
        return null;
    }

    private static String number(JsonNode e, String field, boolean nullable) {
        JsonNode v = e.get(field);
        if ((v == null || v.isNull()) && nullable) {
            return null;
        }
        if (v == null || !(v.isNumber() || v.isTextual() && NON_FINITE.contains(v.asText()))) {
            return "needs \"" + field + "\" a number" + (nullable ? " or null" : "") + ", got " + v;
        }
        return null;
    }

    private static String text(JsonNode e, String field, boolean optional) {
        JsonNode v = e.get(field);
        if ((v == null || v.isNull()) && optional) {
            return null;
        }
        if (v == null || !v.isTextual()) {
            return "needs \"" + field + "\" a string" + (optional ? " or null" : "") + ", got " + v;
        }
        return null;
    }

    private static String object(JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v != null && !v.isNull() && !v.isObject()) {
            return "needs \"" + field + "\" an object, got " + v;
        }
        return null;
    }

    private static <E extends Enum<E>> String oneOf(JsonNode e, String field, Class<E> type) {
        JsonNode v = e.get(field);
        List<String> names = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
            names.add(c.name());
        }
        if (v == null || !v.isTextual() || !names.contains(v.asText())) {
            return "needs \"" + field + "\" one of " + names + ", got " + v;
        }
        return null;
    }

    private static String clip(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
