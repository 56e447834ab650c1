package org.trainer.hpo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
     * RFC 4180 CSV, one row per trial; empty cells for absent values.
     *
     * @param study the study
     * @param file the output file
     */
    public static void writeCsv(Study study, Path file) {
        List<FrozenTrial> rows = rows(study);
        List<String> names = paramNames(rows);
        StringBuilder sb = new StringBuilder("number,state,value");
        names.forEach(n -> sb.append(',').append(cell(n)));
        sb.append(",steps,last_step,error\n");
        for (FrozenTrial t : rows) {
            sb.append(t.number()).append(',').append(t.state()).append(',').append(t.value() == null ? "" : t.value());
            for (String n : names) {
                Object v = t.params().get(n);
                sb.append(',').append(v == null ? "" : cell(String.valueOf(v)));
            }
            sb.append(',').append(t.intermediate().size()).append(',')
                    .append(t.intermediate().isEmpty() ? "" : t.intermediate().lastKey()).append(',')
                    .append(t.error() == null ? "" : cell(t.error())).append('\n');
        }
        try {
            AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String cell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
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
