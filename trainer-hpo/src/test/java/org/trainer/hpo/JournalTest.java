package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-4, 1))
            .add("units", IntRange.linear(8, 64))
            .add("choice", CategoricalRange.of("relu", 2, true, 0.5))
            .build();

    private Study open(Path file) {
        return Study.builder().name("s").direction(Direction.MINIMIZE).space(SPACE).seed(9).journal(file).build();
    }

    private static double objective(Trial t) {
        t.report(1, 2.0);
        return Math.log((Double) t.params().get("lr")) + (Integer) t.params().get("units");
    }

    @Test
    void finishedTrialsAreKeptAndRunningOnesReRunWithTheSameParameters() {
        Path file = dir.resolve("s.jsonl");
        Map<String, Object> interrupted;
        try (Study s = open(file)) {
            s.optimize(JournalTest::objective, 3);
            Trial t = s.ask(); // the process "dies" while this one runs
            t.report(1, 5.0);
            interrupted = t.params();
        }
        List<Integer> ran = new ArrayList<>();
        try (Study s = open(file)) {
            assertEquals(3, s.finishedCount());
            assertEquals(TrialState.RUNNING, s.trials().get(3).state());
            s.optimize(t -> {
                ran.add(t.number());
                if (t.number() == 3) {
                    assertEquals(interrupted, t.params());
                }
                return objective(t);
            }, 5);
            assertEquals(List.of(3, 4), ran);
            assertEquals(5, s.trials().size());
        }
        List<FrozenTrial> loaded = Study.load(file);
        assertEquals(5, loaded.size());
        assertTrue(loaded.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
        assertEquals(Map.of(1, 2.0), loaded.get(3).intermediate()); // the re-run's report, not the lost one's
    }

    @Test
    void valuesOfEveryTypeSurviveTheJournal() {
        Path file = dir.resolve("types.jsonl");
        List<FrozenTrial> before;
        try (Study s = open(file)) {
            s.optimize(JournalTest::objective, 12);
            before = s.trials();
        }
        List<FrozenTrial> after = Study.load(file);
        assertEquals(before, after);
        for (FrozenTrial t : after) {
            SPACE.ranges().forEach((n, r) -> assertTrue(r.contains(t.params().get(n)), n + " = " + t.params().get(n)));
        }
    }

    @Test
    void aTornLastLineIsDroppedAndCutOff() throws IOException {
        Path file = dir.resolve("torn.jsonl");
        try (Study s = open(file)) {
            s.optimize(JournalTest::objective, 2);
        }
        Files.write(file, "{\"event\":\"report\",\"num".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (Study s = open(file)) {
            assertEquals(2, s.finishedCount());
            s.optimize(JournalTest::objective, 3);
        }
        // Every line parses: the torn bytes were cut off before the new events were appended.
        assertEquals(3, Study.load(file).size());
        for (String line : Files.readAllLines(file)) {
            assertTrue(line.startsWith("{\"event\":") && line.endsWith("}"), line);
        }
    }

    @Test
    void corruptionInsideTheFileIsAnErrorNamingTheLine() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        try (Study s = open(file)) {
            s.optimize(JournalTest::objective, 1);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, "not json");
        Files.write(file, lines);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(file));
        assertTrue(e.getMessage().contains("line 2 is not JSON: not json"), e.getMessage());
    }

    @Test
    void anotherStudysJournalIsRefused() {
        Path file = dir.resolve("other.jsonl");
        open(file).close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Study.builder().name("s").direction(Direction.MAXIMIZE).journal(file).seed(9).build());
        assertTrue(e.getMessage().endsWith("holds a MINIMIZE study, got MAXIMIZE"), e.getMessage());
    }

    @Test
    void anotherStudysJournalIsRefusedAndLeftAsItWas() throws IOException {
        Path file = dir.resolve("s.jsonl");
        try (Study s = open(file)) {
            s.optimize(JournalTest::objective, 2);
        }
        Files.write(file, "{\"event\":\"start\"".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        byte[] before = Files.readAllBytes(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Study.builder().name("other")
                .direction(Direction.MINIMIZE).space(SPACE).seed(9).journal(file).build());
        assertEquals("Study: journal " + file + " holds study 's', not 'other'", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "the torn tail of a refused journal stays");
        // the refused open released its file: the right study opens (and locks) it, then cuts the torn tail
        try (Study s = open(file)) {
            assertEquals(2, s.finishedCount());
        }
        assertEquals(before.length - "{\"event\":\"start\"".length(), Files.size(file));
        Files.delete(file);
    }

    @Test
    void aSecondWriterOnOneJournalIsRefused() {
        Path file = dir.resolve("s.jsonl");
        try (Study first = open(file)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            first.optimize(JournalTest::objective, 1);
        }
        try (Study again = open(file)) {
            assertEquals(1, again.finishedCount());
        }
    }

    @Test
    void everyAllowedCategoricalTypeRoundTripsThroughTheJournal() {
        Path file = dir.resolve("types.jsonl");
        CategoricalRange choices = CategoricalRange.of("adam", 7, 0.25, 3.0, 3, true);
        SearchSpace space = SearchSpace.builder().add("c", choices).build();
        List<FrozenTrial> before;
        try (Study s = Study.builder().name("types").direction(Direction.MINIMIZE).space(space)
                .sampler(new GridSampler(2)).journal(file).build()) {
            s.optimize(t -> choices.indexOf(t.params().get("c")), 6);
            before = s.trials();
        }
        assertEquals(choices.choices(), before.stream().map(t -> t.params().get("c")).toList(), "the grid visits each choice");
        List<FrozenTrial> loaded = Study.load(file);
        assertEquals(before, loaded);
        for (int i = 0; i < 6; i++) {
            assertEquals(before.get(i).params().get("c").getClass(), loaded.get(i).params().get("c").getClass());
        }
        try (Study s = Study.builder().name("types").direction(Direction.MINIMIZE).space(space).journal(file).build()) {
            assertEquals(choices, s.distributions(5).get("c"));
        }
    }
}
