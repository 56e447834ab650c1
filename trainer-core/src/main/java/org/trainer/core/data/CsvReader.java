package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.trainer.core.Tensor;

/**
 * Reads a numeric CSV file (plain or gzipped, UTF-8) into a {@link TensorDataset}: one column is
 * the target, every other column, in file order, a float32 feature. Parsing (quotes, escapes, line
 * ends) is Apache Commons CSV's; this class adds the numeric checks.
 *
 * <p>Targets are int32 class labels [N] ({@link #classColumn(int)}: each cell a non-negative integer
 * such as {@code 3} or {@code 3.0}, or one of the names given to {@link #withClassNames(String...)},
 * read as its index) or float32 values [N] ({@link #regression(int)}). Features are
 * [N, F], F being the number of columns less one.
 *
 * <p>A UTF-8 byte-order mark at the start is skipped; bytes that are not UTF-8 are refused with the
 * line. A number is written as CSV writers write it: an optional sign, digits, an optional
 * fraction and an optional exponent ({@code -1.5}, {@code .5}, {@code 2e-3}); Java-only syntax
 * ({@code 2.5f}, {@code 3d}, {@code 0x1p3}, {@code 1_000}) is refused.
 *
 * <p>Bad data is refused, never patched: a row whose column count differs from the first row's, a
 * cell that is not a number, NaN, infinite, or too large for float32, or a label that is not a
 * class (not a non-negative integer, or, with {@link #withClasses(int)}, not below the declared
 * class count), throws an {@link IllegalArgumentException} naming the source, the 1-based line
 * number and the 1-based column (and its header name, if any). Blank lines are skipped.
 *
 * <p>Instances are immutable; {@code with...} methods return modified copies.
 */
public final class CsvReader {
    /** What the label column holds. */
    public enum Target {
        /** Class indices 0, 1, 2, ... read as int32. */
        CLASS,
        /** Real values read as float32. */
        REGRESSION
    }

    private final int labelColumn;
    private final Target target;
    private final boolean header;
    private final char delimiter;
    private final int numClasses;
    private final List<String> classNames; // null: labels are integers

    private CsvReader(int labelColumn, Target target, boolean header, char delimiter) {
        this(labelColumn, target, header, delimiter, 0, null);
    }

    private CsvReader(int labelColumn, Target target, boolean header, char delimiter, int numClasses,
                      List<String> classNames) {
        this.labelColumn = labelColumn;
        this.target = Objects.requireNonNull(target, "target");
        this.header = header;
        this.delimiter = delimiter;
        this.numClasses = numClasses;
        this.classNames = classNames;
    }

    /**
     * A reader whose column {@code labelColumn} (0-based; negative counts from the end, -1 being
     * the last) holds class labels: integers 0, 1, 2, ..., or names declared with
     * {@link #withClassNames(String...)}. No header, comma-separated. The argument is a column, not a
     * class count: {@code classColumn(64)} reads the digits' 65 columns with the label last.
     */
    public static CsvReader classColumn(int labelColumn) {
        return new CsvReader(labelColumn, Target.CLASS, false, ',');
    }

    /**
     * The same as {@link #classColumn(int)}: its argument is the label's column, not a number of classes.
     *
     * @deprecated the name reads as a class count; use {@link #classColumn(int)} (and
     *             {@link #withClasses(int)} to declare the class count)
     */
    @Deprecated
    public static CsvReader classes(int labelColumn) {
        return classColumn(labelColumn);
    }

    /** A reader whose column {@code labelColumn} (as in {@link #classColumn(int)}) holds float targets. */
    public static CsvReader regression(int labelColumn) {
        return new CsvReader(labelColumn, Target.REGRESSION, false, ',');
    }

    /**
     * Whether the first non-blank line holds column names rather than data.
     *
     * @param header whether there is a header line
     * @return the changed reader
     */
    public CsvReader withHeader(boolean header) {
        return new CsvReader(labelColumn, target, header, delimiter, numClasses, classNames);
    }

    /**
     * Declares the classes 0..numClasses-1: a label of numClasses or more is refused with its line
     * and column, before any training (without this, any non-negative integer is a class).
     *
     * @param numClasses the number of classes
     * @return the changed reader
     */
    public CsvReader withClasses(int numClasses) {
        if (target != Target.CLASS) {
            throw new IllegalStateException("CsvReader.withClasses: a regression reader has no classes");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("CsvReader.withClasses: numClasses must be >= 1, got " + numClasses);
        }
        return new CsvReader(labelColumn, target, header, delimiter, numClasses, null);
    }

    /**
     * Class labels written as names ({@code setosa}, {@code versicolor}, ...): the label cell must be
     * one of {@code names} (compared exactly, after trimming spaces) and is read as its index in
     * {@code names}, the label index: the first name is class 0. Declares {@code names.length}
     * classes; a cell that is no declared name is refused with its line and column.
     *
     * @throws IllegalStateException    on a regression reader
     * @throws IllegalArgumentException if no name is given, or a name is null, blank or given twice
     */
    public CsvReader withClassNames(String... names) {
        if (target != Target.CLASS) {
            throw new IllegalStateException("CsvReader.withClassNames: a regression reader has no classes");
        }
        if (names.length == 0) {
            throw new IllegalArgumentException("CsvReader.withClassNames: expected at least one name, got none");
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null || names[i].isBlank() || list.contains(names[i])) {
                throw new IllegalArgumentException("CsvReader.withClassNames: name " + i + " is "
                        + (names[i] == null ? "null" : "'" + names[i] + "'") + ", expected a non-blank name given once");
            }
            list.add(names[i]);
        }
        return new CsvReader(labelColumn, target, header, delimiter, names.length, List.copyOf(list));
    }

    /** The declared class names in label order (see {@link #withClassNames}), or an empty list for integer labels. */
    public List<String> classNames() {
        return classNames == null ? List.of() : classNames;
    }

    /**
     * The field separator, ',' by default (e.g. ';' or '\t').
     *
     * @param delimiter the separator
     * @return the changed reader
     */
    public CsvReader withDelimiter(char delimiter) {
        return new CsvReader(labelColumn, target, header, delimiter, numClasses, classNames);
    }

    /**
     * Reads a file, gunzipping it if it starts with the gzip magic bytes. Errors name the file.
     *
     * @param file the CSV file, gzipped or not
     * @return features float32 [N, F] and targets (int32 [N] for classes, float32 [N] for regression)
     * @throws IOException if the file cannot be read or its CSV syntax is broken (naming the line)
     */
    public TensorDataset read(Path file) throws IOException {
        try (InputStream in = FileStreams.open(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads a stream (gzipped or not) to its end and closes it, which also frees the native
     * inflater of a gzipped one; {@code source} names it in error messages (a file name or
     * resource path).
     *
     * @param in the CSV bytes
     * @param source the name for error messages
     * @return features float32 [N, F] and targets (int32 [N] for classes, float32 [N] for regression)
     * @throws IOException if the stream cannot be read or its CSV syntax is broken (naming the line)
     */
    public TensorDataset read(InputStream in, String source) throws IOException {
        Reader reader = CsvText.utf8(Gzip.maybeDecompress(in));
        // Empty lines are kept so that each record starts on the line after the previous one ended:
        // that is how line numbers for messages are known. Blank records are skipped below.
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false)
                .setTrim(true).get();
        try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get()) {
            return parse(parser, source);
        }
    }

    private TensorDataset parse(CSVParser parser, String source) throws IOException {
        CsvColumns columns = null;
        RowBuffer rows = null;
        Iterator<CSVRecord> records = parser.iterator();
        long endOfPrevious = parser.getCurrentLineNumber();
        while (true) {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    break;
                }
                record = records.next();
            } catch (UncheckedIOException e) {
                // Commons CSV reports a read failure (bad UTF-8 included), or malformed quoting, this way.
                throw new IOException(CsvText.readFailure(source, "near line " + (endOfPrevious + 1), e.getCause()),
                        e.getCause());
            }
            long line = endOfPrevious + 1;
            endOfPrevious = parser.getCurrentLineNumber();
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue;
            }
            if (columns == null) {
                columns = CsvColumns.of(source, line, record.size(), labelColumn, header ? record.toList() : null);
                rows = new RowBuffer(columns.featureCount());
                if (header) {
                    continue;
                }
            }
            readRow(source, line, record, columns, rows);
        }
        if (rows == null || rows.size() == 0) {
            throw new IllegalArgumentException(source + ": no data rows" + (header ? " after the header" : ""));
        }
        Tensor features = Tensor.fromArray(rows.features(), rows.size(), columns.featureCount());
        Tensor targets = target == Target.CLASS ? Tensor.fromArray(rows.labelsAsInts(), rows.size())
                : Tensor.fromArray(rows.labels(), rows.size());
        return new TensorDataset(features, targets);
    }

    private void readRow(String source, long line, CSVRecord record, CsvColumns columns, RowBuffer rows) {
        if (record.size() != columns.count()) {
            throw new IllegalArgumentException(source + ": line " + line + " has " + record.size() + " columns, expected "
                    + columns.count() + " (as line " + columns.firstLine() + ")");
        }
        float[] features = new float[columns.featureCount()];
        float label = 0;
        for (int c = 0, f = 0; c < record.size(); c++) {
            if (c == columns.label() && classNames != null) {
                label = namedClass(source, line, columns, c, record.get(c));
                continue;
            }
            double v = parse(source, line, columns, c, record.get(c));
            if (c == columns.label()) {
                label = target == Target.CLASS ? checkClass(source, line, columns, c, v) : (float) v;
            } else {
                features[f++] = (float) v;
            }
        }
        rows.add(features, label);
    }

    private static double parse(String source, long line, CsvColumns columns, int c, String cell) {
        return CsvText.parse(cell, what -> cellError(source, line, columns, c, what));
    }

    private float checkClass(String source, long line, CsvColumns columns, int c, double v) {
        if (v < 0 || v != Math.rint(v) || v > 1 << 24) {
            throw cellError(source, line, columns, c, "class label " + v + " is not an integer from 0 to " + (1 << 24));
        }
        if (numClasses > 0 && v >= numClasses) {
            throw cellError(source, line, columns, c, "class label " + (long) v + " is not one of the " + numClasses
                    + " classes (expected 0 to " + (numClasses - 1) + ")");
        }
        return (float) v; // exact: integers up to 2^24 are floats
    }

    private float namedClass(String source, long line, CsvColumns columns, int c, String cell) {
        int index = classNames.indexOf(cell);
        if (index < 0) {
            throw cellError(source, line, columns, c, "class label '" + cell + "' is not one of the declared names "
                    + classNames);
        }
        return index;
    }

    private static IllegalArgumentException cellError(String source, long line, CsvColumns columns, int c,
            String what) {
        return new IllegalArgumentException(source + ": line " + line + ", " + columns.describe(c) + ": " + what);
    }

    @Override
    public String toString() {
        return "CsvReader(" + target + " label column " + labelColumn + ", header " + header + ", delimiter '"
                + delimiter + "'" + (classNames != null ? ", classes " + classNames
                : numClasses > 0 ? ", " + numClasses + " classes" : "") + ")";
    }
}
