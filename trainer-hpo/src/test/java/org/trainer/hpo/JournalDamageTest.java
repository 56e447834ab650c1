package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged journals: each is refused, by an exclusive open, a shared open and {@link Study#load},
 * with an error naming the file, the line and what was expected; the file is left byte for byte.
 * The undamaged journal has lines: 1 study, 2 start 0, 3 report 0, 4 finish 0, 5 start 1,
 * 6 report 1, 7 finish 1.
 */
class JournalDamageTest {
    private static final SearchSpace SPACE = SearchSpace.builder().add("x", FloatRange.linear(0, 1)).build();

    @TempDir
    Path dir;

    private static Study.Builder builder() {
        return Study.builder().name("s").direction(Direction.MINIMIZE).space(SPACE).seed(9);
    }

    private static Arguments damage(String name, int line, String expected, UnaryOperator<List<String>> edit) {
        return Arguments.of(name, line, expected, edit);
    }

    private static UnaryOperator<List<String>> set(int line, String text) {
        return l -> {
            l.set(line - 1, text);
            return l;
        };
    }

    private static UnaryOperator<List<String>> append(String text) {
        return l -> {
            l.add(text);
            return l;
        };
    }

    private static UnaryOperator<List<String>> replace(int line, String from, String to) {
        return l -> {
            String s = l.get(line - 1);
            if (!s.contains(from)) {
                throw new AssertionError("line " + line + " has no " + from + ": " + s);
            }
            l.set(line - 1, s.replace(from, to));
            return l;
        };
    }

    static Stream<Arguments> damages() {
        return Stream.of(
                damage("finish without fields", 8, "a finish event needs \"number\" a whole number >= 0, got null",
                        append("{\"event\":\"finish\"}")),
                damage("finish of a trial never started", 8, "a finish event for trial 99, which no earlier start",
                        append("{\"event\":\"finish\",\"number\":99,\"state\":\"COMPLETE\",\"value\":1.0}")),
                damage("report of a trial never started", 8, "a report event for trial 7, which no earlier start",
                        append("{\"event\":\"report\",\"number\":7,\"step\":0,\"value\":1.0}")),
                damage("two records on one line", 2, "holds more than one JSON value",
                        l -> {
                            l.set(1, l.get(1) + l.get(2));
                            l.remove(2);
                            return l;
                        }),
                damage("a trailing value", 4, "holds more than one JSON value", l -> {
                    l.set(3, l.get(3) + " 1");
                    return l;
                }),
                damage("trailing garbage", 4, "is not JSON", l -> {
                    l.set(3, l.get(3) + " x");
                    return l;
                }),
                damage("not JSON", 3, "is not JSON", set(3, "{\"event\":\"report\",")),
                damage("not an object", 5, "is not a JSON object", set(5, "[1, 2]")),
                damage("no event field", 6, "expected a string field \"event\"", set(6, "{\"number\":1}")),
                damage("unknown event", 8, "unknown event 'stop'", append("{\"event\":\"stop\",\"number\":1}")),
                damage("trial number as a string", 4, "needs \"number\" a whole number >= 0, got \"0\"",
                        replace(4, "\"number\":0", "\"number\":\"0\"")),
                damage("negative trial number", 2, "needs \"number\" a whole number >= 0, got -1",
                        replace(2, "\"number\":0", "\"number\":-1")),
                damage("unknown state", 7, "needs \"state\" one of [RUNNING, COMPLETE, PRUNED, FAILED], got \"DONE\"",
                        replace(7, "\"COMPLETE\"", "\"DONE\"")),
                damage("report value as text", 3, "needs \"value\" a number, got \"abc\"",
                        l -> {
                            l.set(2, l.get(2).replaceAll("\"value\":[^,}]+", "\"value\":\"abc\""));
                            return l;
                        }),
                damage("params not an object", 5, "needs \"params\" an object, got [1]",
                        l -> {
                            l.set(4, l.get(4).replaceAll("\"params\":\\{[^}]*\\}", "\"params\":[1]"));
                            return l;
                        }),
                damage("range without its low bound", 2, "a float range needs a number \"low\"",
                        l -> {
                            l.set(1, l.get(1).replaceAll("\"low\":[^,]+,", ""));
                            return l;
                        }),
                damage("the study event lost", 1, "expected a study event", l -> {
                    l.remove(0);
                    return l;
                }),
                damage("study event without a seed", 1, "a study event needs \"seed\" a whole number",
                        replace(1, ",\"seed\":9", "")),
                damage("bad UTF-8 outside a string", 6, "is not JSON", set(6, "{\"event\":\u00ff}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void isRefusedNamingFileAndLineAndChangesNothing(String name, int line, String expected,
                                                     UnaryOperator<List<String>> edit) throws IOException {
        Path file = dir.resolve("study.jsonl");
        try (Study s = builder().journal(file).build()) {
            s.optimize(t -> {
                t.report(0, 0.5);
                return (Double) t.params().get("x");
            }, 2);
        }
        List<String> lines = edit.apply(new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)));
        String text = String.join("\n", lines) + "\n";
        byte[] bytes = name.startsWith("bad UTF-8") ? text.replace("\u00ff", "\u0000").getBytes(StandardCharsets.UTF_8)
                : text.getBytes(StandardCharsets.UTF_8);
        if (name.startsWith("bad UTF-8")) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    bytes[i] = (byte) 0xC3; // a lead byte with no continuation
                }
            }
        }
        Files.write(file, bytes);
        String where = file + " line " + line;

        RuntimeException exclusive = assertThrows(RuntimeException.class, () -> builder().journal(file).build());
        assertTrue(exclusive.getMessage().contains(where) && exclusive.getMessage().contains(expected),
                exclusive.getMessage());
        RuntimeException loaded = assertThrows(RuntimeException.class, () -> Study.load(file));
        assertTrue(loaded.getMessage().contains(where) && loaded.getMessage().contains(expected), loaded.getMessage());
        RuntimeException shared = assertThrows(RuntimeException.class, () -> builder().sharedJournal(file).build());
        assertTrue(shared.getMessage().contains(where) && shared.getMessage().contains(expected), shared.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file), "a refused journal is left as it was");
    }
}
