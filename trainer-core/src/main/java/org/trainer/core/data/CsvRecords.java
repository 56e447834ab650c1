package org.trainer.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.trainer.core.DType;

/**
 * Numeric CSV rows, streamed one at a time from one or more sources (plain or gzipped, UTF-8, read
 * in order as one sequence): the streaming counterpart of {@link CsvReader}, with the same rules.
 * One column is the target, every other column, in file order, a float32 feature; targets are
 * class labels (int32, each a non-negative integer) or real values (float32).
 *
 * <p>The first non-blank line of the first source fixes the column count (and, with a header, the
 * column names); with {@link #withHeader(boolean)} the first non-blank line of every source is its
 * header. Blank lines are skipped; a byte-order mark at the start of a source is skipped and the
 * number syntax is {@link CsvReader}'s (no Java-only forms such as {@code 2.5f}). Bad data is refused with an {@link IllegalArgumentException}
 * naming the source, the 1-based data record of that source, its line, and the 1-based column (with
 * its header name): a ragged row, a cell that is not a number, NaN, infinite, too large for float32,
 * or a label that is not a class.
 *
 * <p>Instances are immutable; {@code with...} methods return modified copies.
 */
public final class CsvRecords implements RecordFormat {
    private final List<RecordSource> sources;
    private final int labelColumn;
    private final CsvReader.Target target;
    private final boolean header;
    private final char delimiter;
    private final int workers;

    private CsvRecords(List<RecordSource> sources, int labelColumn, CsvReader.Target target, boolean header,
                       char delimiter, int workers) {
        this.sources = sources;
        this.labelColumn = labelColumn;
        this.target = target;
        this.header = header;
        this.delimiter = delimiter;
        this.workers = workers;
    }

    /**
     * Rows whose column {@code labelColumn} (0-based; negative counts from the end, -1 being the
     * last) holds class labels. No header, comma-separated. The argument is a column, not a class
     * count (see {@link CsvReader#classColumn(int)}).
     */
    public static CsvRecords classColumn(int labelColumn, RecordSource... sources) {
        return new CsvRecords(SourceSequence.checked(sources), labelColumn, CsvReader.Target.CLASS, false, ',', 0);
    }

    /** {@link #classColumn(int, RecordSource...)} over files. */
    public static CsvRecords classColumn(int labelColumn, Path... files) {
        return classColumn(labelColumn, SourceSequence.files(files));
    }

    /**
     * The same as {@link #classColumn(int, RecordSource...)}.
     *
     * @deprecated the name reads as a class count; use {@link #classColumn(int, RecordSource...)}
     */
    @Deprecated
    public static CsvRecords classes(int labelColumn, RecordSource... sources) {
        return classColumn(labelColumn, sources);
    }

    /**
     * The same as {@link #classColumn(int, Path...)}.
     *
     * @deprecated the name reads as a class count; use {@link #classColumn(int, Path...)}
     */
    @Deprecated
    public static CsvRecords classes(int labelColumn, Path... files) {
        return classColumn(labelColumn, files);
    }

    /** Rows whose column {@code labelColumn} (as in {@link #classColumn(int, RecordSource...)}) holds float targets. */
    public static CsvRecords regression(int labelColumn, RecordSource... sources) {
        return new CsvRecords(SourceSequence.checked(sources), labelColumn, CsvReader.Target.REGRESSION, false, ',', 0);
    }

    /**
     * {@link #regression(int, RecordSource...)} over files.
     *
     * @param labelColumn the target's column
     * @param files the files, read in order
     * @return the format
     */
    public static CsvRecords regression(int labelColumn, Path... files) {
        return regression(labelColumn, SourceSequence.files(files));
    }

    /**
     * Whether the first non-blank line of each source holds column names rather than data.
     *
     * @param header whether each source starts with a header line
     * @return the changed format
     */
    public CsvRecords withHeader(boolean header) {
        return new CsvRecords(sources, labelColumn, target, header, delimiter, workers);
    }

    /**
     * The field separator, ',' by default (e.g. ';' or '\t').
     *
     * @param delimiter the separator
     * @return the changed format
     */
    public CsvRecords withDelimiter(char delimiter) {
        return new CsvRecords(sources, labelColumn, target, header, delimiter, workers);
    }

    /**
     * Decode threads: 0 (the default) parses on the reading thread; n &gt;= 1 cuts the text into
     * chunks of whole lines that n daemon threads parse, delivered in order: the records, values
     * and errors are those of 0 workers (a quoted field may not span lines), at several times the
     * rows per second.
     */
    public CsvRecords withWorkers(int workers) {
        if (workers < 0) {
            throw new IllegalArgumentException("CsvRecords: workers must be >= 0 threads, got " + workers);
        }
        return new CsvRecords(sources, labelColumn, target, header, delimiter, workers);
    }

    private CSVFormat format() {
        return CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false).setTrim(true).get();
    }

    /** Opens the first source and reads up to its first data row, which fixes the column count. */
    @Override
    public RecordReader open() throws IOException {
        return open(0);
    }

    /** {@link #open()} over the sources' bytes of {@code epoch}. */
    @Override
    public RecordReader open(int epoch) throws IOException {
        if (workers > 0) {
            CsvParallelReader r = new CsvParallelReader(sources, epoch, labelColumn, target == CsvReader.Target.CLASS,
                    header, delimiter, format(), workers);
            try {
                r.start();
                return r;
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        }
        Reader r = new Reader(epoch);
        try {
            r.start();
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "CsvRecords(" + SourceSequence.describe(sources) + ", " + target + " label column " + labelColumn
                + ", header " + header + ", delimiter '" + delimiter + "'" + (workers > 0 ? ", workers " + workers : "")
                + ")";
    }

    private final class Reader implements RecordReader {
        private final SourceSequence files;
        private final CSVFormat csv = format();
        private CSVParser parser;
        private Iterator<CSVRecord> rows;
        private long endOfPrevious;
        private boolean headerPending;
        private CsvColumns columns;
        private String columnsSource;
        private CSVRecord currentRow;
        private CSVRecord peeked;
        private long peekedLine;
        private long record;
        private long line;

        Reader(int epoch) {
            this.files = new SourceSequence(sources, epoch);
        }

        void start() throws IOException {
            if (!nextRow()) {
                throw new IllegalArgumentException(SourceSequence.describe(sources) + ": no data rows"
                        + (header ? " after the header" : ""));
            }
            peeked = currentRow;
            peekedLine = line;
        }

        /** Moves to the next data row of the sequence into {@link #currentRow}; false at the end. */
        private boolean nextRow() throws IOException {
            while (true) {
                if (rows == null) {
                    if (!files.advance()) {
                        return false;
                    }
                    parser = CSVParser.builder().setReader(CsvText.utf8(files.stream()))
                            .setFormat(csv).get();
                    rows = parser.iterator();
                    endOfPrevious = parser.getCurrentLineNumber();
                    headerPending = header;
                    record = 0;
                }
                CSVRecord row;
                try {
                    if (!rows.hasNext()) {
                        rows = null;
                        parser.close();
                        continue;
                    }
                    row = rows.next();
                } catch (UncheckedIOException e) {
                    // Commons CSV reports a read failure, or malformed quoting, this way.
                    throw new IOException(CsvText.readFailure(files.name(), "record " + (record + 1) + " (near line "
                            + parser.getCurrentLineNumber() + ")", e.getCause()), e.getCause());
                }
                line = endOfPrevious + 1;
                endOfPrevious = parser.getCurrentLineNumber();
                if (row.size() == 1 && row.get(0).isEmpty()) {
                    continue;
                }
                if (columns == null) {
                    columns = CsvColumns.of(files.name(), line, row.size(), labelColumn,
                            header ? row.toList() : null);
                    columnsSource = files.name();
                }
                if (headerPending) {
                    headerPending = false;
                    continue;
                }
                record++;
                currentRow = row;
                return true;
            }
        }

        @Override
        public int[] featureShape() {
            return new int[] {columns.featureCount()};
        }

        @Override
        public int[] targetShape() {
            return new int[0];
        }

        @Override
        public DType targetType() {
            return target == CsvReader.Target.CLASS ? DType.INT32 : DType.FLOAT32;
        }

        @Override
        public boolean read(float[] features, int featureOffset, float[] targets, int targetOffset) throws IOException {
            CSVRecord row;
            long rowLine;
            if (peeked != null) {
                row = peeked;
                rowLine = peekedLine;
                peeked = null;
            } else if (nextRow()) {
                row = currentRow;
                rowLine = line;
            } else {
                return false;
            }
            if (row.size() != columns.count()) {
                throw new IllegalArgumentException(where(rowLine) + " has " + row.size() + " columns, expected "
                        + columns.count() + " (as line " + columns.firstLine() + " of " + columnsSource + ")");
            }
            for (int c = 0, f = featureOffset; c < row.size(); c++) {
                double v = cell(rowLine, c, row.get(c));
                if (c == columns.label()) {
                    targets[targetOffset] = target == CsvReader.Target.CLASS ? label(rowLine, c, v) : (float) v;
                } else {
                    features[f++] = (float) v;
                }
            }
            return true;
        }

        private String where(long rowLine) {
            return files.name() + ": record " + record + " (line " + rowLine + ")";
        }

        private double cell(long rowLine, int c, String cell) {
            return CsvText.parse(cell, what -> cellError(rowLine, c, what));
        }

        private float label(long rowLine, int c, double v) {
            if (v < 0 || v != Math.rint(v) || v > 1 << 24) {
                throw cellError(rowLine, c, "class label " + v + " is not an integer from 0 to " + (1 << 24));
            }
            return (float) v;
        }

        private IllegalArgumentException cellError(long rowLine, int c, String what) {
            return new IllegalArgumentException(where(rowLine) + ", " + columns.describe(c) + ": " + what);
        }

        @Override
        public void close() throws IOException {
            files.close();
        }
    }
}
