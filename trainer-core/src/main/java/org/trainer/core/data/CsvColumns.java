package org.trainer.core.data;

import java.util.List;

/** Column count, label position and names, fixed by the first non-blank line. */
record CsvColumns(int count, int label, long firstLine, List<String> names) {
    static CsvColumns of(String source, long line, int count, int labelColumn, List<String> names) {
        int label = labelColumn < 0 ? labelColumn + count : labelColumn;
        if (label < 0 || label >= count) {
            throw new IllegalArgumentException(source + ": labelColumn " + labelColumn + " is out of range for "
                    + count + " columns at line " + line + " (expected " + -count + " to " + (count - 1) + ")");
        }
        return new CsvColumns(count, label, line, names);
    }

    int featureCount() {
        return count - 1;
    }

    String describe(int c) {
        return "column " + (c + 1) + (names == null ? "" : " (\"" + names.get(c) + "\")");
    }
}
