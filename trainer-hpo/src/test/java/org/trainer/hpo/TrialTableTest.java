package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trials' CSV: one row per trial that a CSV reader gives back cell for cell, awkward text included. */
class TrialTableTest {
    @TempDir
    Path dir;

    @Test
    void cellsWithCommasQuotesAndLineBreaksReadBackAsWritten() throws IOException {
        String error = "bad \"x\", see\nline 2";
        String choice = "a,b \"quoted\"";
        Path file = dir.resolve("trials.csv");
        try (Study s = Study.builder().name("table").direction(Direction.MINIMIZE).seed(3).build()) {
            s.optimize(t -> {
                double x = t.suggestFloat("x", 0, 1);
                t.suggestCategorical("kind", List.of(choice));
                t.report(4, x);
                if (t.number() == 1) {
                    throw new IllegalStateException(error);
                }
                return x;
            }, 3);
            TrialTable.writeCsv(s, file);
            List<CSVRecord> rows;
            try (Reader r = Files.newBufferedReader(file);
                 CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                assertEquals(List.of("number", "state", "value", "x", "kind", "steps", "last_step", "error"),
                        p.getHeaderNames());
                rows = p.getRecords();
            }
            assertEquals(3, rows.size());
            for (int i = 0; i < 3; i++) {
                FrozenTrial t = s.trials().get(i);
                CSVRecord row = rows.get(i);
                assertEquals(String.valueOf(t.number()), row.get("number"));
                assertEquals(t.state().name(), row.get("state"));
                assertEquals(t.value() == null ? "" : String.valueOf(t.value()), row.get("value"));
                assertEquals(String.valueOf(t.params().get("x")), row.get("x"));
                assertEquals(choice, row.get("kind"));
                assertEquals("1", row.get("steps"));
                assertEquals("4", row.get("last_step"));
                assertEquals(t.error() == null ? "" : t.error(), row.get("error"));
            }
            assertTrue(rows.get(1).get("error").contains(error), rows.get(1).get("error"));
        }
    }
}
