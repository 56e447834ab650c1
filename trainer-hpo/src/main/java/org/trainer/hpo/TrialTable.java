package org.trainer.hpo;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.trainer.core.io.AtomicFile;

/**
 * The table of a study's trials, warm-start observations (negative numbers) first: number,
 * state, value, one column per parameter (in first-seen order), the number of intermediate
 * values, the last intermediate step, and the error of a failed trial.
 */
public final class TrialTable {

    private TrialTable() {
    }

    static List<FrozenTrial> rows(Study study) {
        List<FrozenTrial> rows = new ArrayList<>(study.priors());
        rows.addAll(study.trials());
        return rows;
    }

    static List<String> paramNames(List<FrozenTrial> rows) {
        Set<String> names = new LinkedHashSet<>();
        rows.forEach(t -> names.addAll(t.params().keySet()));
        return new ArrayList<>(names);
    }

    /**
     * RFC 4180 CSV (commas, double quotes around a cell with a comma, quote or line break, lines
     * ending in "\n"), one row per trial; empty cells for absent values. Written atomically.
     */
    public static void writeCsv(Study study, Path file) {
        List<FrozenTrial> rows = rows(study);
        List<String> names = paramNames(rows);
        List<String> header = new ArrayList<>(List.of("number", "state", "value"));
        header.addAll(names);
        header.addAll(List.of("steps", "last_step", "error"));
        CSVFormat format = CSVFormat.RFC4180.builder().setRecordSeparator('\n').build();
        try {
            AtomicFile.write(file, out -> {
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                CSVPrinter csv = new CSVPrinter(w, format);
                csv.printRecord(header);
                for (FrozenTrial t : rows) {
                    csv.printRecord(row(t, names));
                }
                csv.flush(); // not closed: AtomicFile owns the stream
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A trial's cells, in the header's order; null for an empty cell. */
    private static List<Object> row(FrozenTrial t, List<String> names) {
        List<Object> cells = new ArrayList<>(List.of(t.number(), t.state()));
        cells.add(t.value());
        names.forEach(n -> cells.add(t.params().get(n)));
        cells.add(t.intermediate().size());
        cells.add(t.intermediate().isEmpty() ? null : t.intermediate().lastKey());
        cells.add(t.error());
        return cells;
    }

    /**
     * A JSON object: study name, direction, best trial number, and an array of trials with their intermediate values.
     *
     * @param study the study
     * @param file the output file
     */
    public static void writeJson(Study study, Path file) {
        ObjectNode root = JsonCodec.MAPPER.createObjectNode();
        root.put("study", study.name()).put("direction", study.direction().name());
        study.bestTrial().ifPresent(b -> root.put("best_trial", b.number()).put("best_value", b.value()));
        ArrayNode trials = root.putArray("trials");
        for (FrozenTrial t : rows(study)) {
            ObjectNode n = trials.addObject();
            n.put("number", t.number()).put("state", t.state().name());
            if (t.value() != null) {
                n.put("value", t.value());
            } else {
                n.putNull("value");
            }
            n.set("params", JsonCodec.params(t.params()));
            ObjectNode inter = n.putObject("intermediate");
            t.intermediate().forEach((k, v) -> inter.put(String.valueOf(k), v));
            if (t.error() != null) {
                n.put("error", t.error());
            }
        }
        try {
            AtomicFile.write(file, out -> JsonCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
