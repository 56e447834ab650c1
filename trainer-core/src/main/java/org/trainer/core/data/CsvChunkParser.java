package org.trainer.core.data;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * What a worker of {@link CsvParallelReader} does to one {@link CsvChunk}: its rows as floats,
 * checked by the rules of {@link CsvRecords}, with the same values and the same errors.
 *
 * <p>A chunk of plain ASCII numbers (no quote, no lone carriage return) is scanned byte by byte;
 * a number that {@link #fastNumber} cannot convert exactly, and every cell it would refuse, goes
 * through {@link CsvText#parse}. Any other chunk goes through Commons CSV, as the serial reader
 * does. Errors cannot name their record and line here (the chunks before may not be parsed yet):
 * they are kept as a {@link Failure} relative to the chunk, and the reader, delivering the rows in
 * order, turns them into the exception once it reaches them.
 */
final class CsvChunkParser {
    /** 10^0 to 10^22: the powers of ten that a double holds exactly. */
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private final CsvColumns columns;
    private final boolean classes;
    private final char delimiter;
    private final CSVFormat csv;
    private final String columnsSource;

    /** @param columnsSource the source whose line fixed the columns, for the message of a ragged row */
    CsvChunkParser(CsvColumns columns, String columnsSource, boolean classes, char delimiter, CSVFormat csv) {
        this.columns = columns;
        this.columnsSource = columnsSource;
        this.classes = classes;
        this.delimiter = delimiter;
        this.csv = csv;
    }

    /** Why parsing stopped inside a chunk; {@code line} counts from 1 at the chunk's first line. */
    record Failure(Kind kind, int row, long line, long newlines, long byteInChunk, String what, IOException cause) {
    }

    enum Kind {
        /** A bad value or a ragged row: {@code what} follows "record R (line L)". */
        VALUE,
        /** Commons CSV could not read on: "record R (near line L): " + the cause. */
        READ,
        /** Bytes that are not UTF-8, at {@code byteInChunk}, after {@code newlines} line feeds of the chunk. */
        UTF8
    }

    /**
     * The parsed rows of a chunk: {@code rows} records of features and targets, the line endings
     * the chunk holds (Commons CSV's count: LF, CRLF and lone CR) and its line feeds, and the
     * failure after the rows, if any.
     */
    static final class Parsed {
        final float[] x;
        final float[] y;
        int rows;
        long lines;
        long newlines;
        Failure failure;

        Parsed(int capacity, int features) {
            x = new float[capacity * features];
            y = new float[capacity];
        }
    }

    Parsed parse(CsvChunk chunk) {
        byte[] b = chunk.bytes();
        int n = chunk.length();
        int lineFeeds = 0;
        boolean plain = delimiter < 0x80;
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            if (c == '\n') {
                lineFeeds++;
            } else if (c < 0 || c == '"' || (c == '\r' && (i + 1 == n || b[i + 1] != '\n'))) {
                plain = false;
            }
        }
        long lines = plain ? lineFeeds : lineEndings(b, 0, n);
        Parsed out = new Parsed((int) lines + 1, columns.featureCount());
        out.newlines = lineFeeds;
        out.lines = lines;
        if (plain) {
            parsePlain(b, n, out);
        } else {
            parseText(b, n, out);
        }
        return out;
    }

    /** Line endings as Commons CSV counts them: LF, CRLF (once) and a lone CR. */
    static long lineEndings(byte[] b, int from, int to) {
        long lines = 0;
        for (int i = from; i < to; i++) {
            if (b[i] == '\n' || (b[i] == '\r' && (i + 1 == to || b[i + 1] != '\n'))) {
                lines++;
            }
        }
        return lines;
    }

    private void parsePlain(byte[] b, int n, Parsed out) {
        int features = columns.featureCount();
        int[] cuts = new int[columns.count() + 1];
        long line = 0;
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && b[end] != '\n') {
                end++;
            }
            int next = end + 1;
            if (end > start && b[end - 1] == '\r') {
                end--;
            }
            line++;
            if (!blank(b, start, end)) {
                int fields = 1;
                cuts[0] = start - 1;
                for (int i = start; i < end; i++) {
                    if (b[i] == delimiter) {
                        if (fields < cuts.length - 1) {
                            cuts[fields] = i;
                        }
                        fields++;
                    }
                }
                if (fields != columns.count()) {
                    out.failure = new Failure(Kind.VALUE, out.rows, line, 0, 0, ragged(fields), null);
                    return;
                }
                cuts[fields] = end;
                int xo = out.rows * features;
                for (int c = 0; c < fields; c++) {
                    String error = cell(b, cuts[c] + 1, cuts[c + 1], c, out, xo);
                    if (error != null) {
                        out.failure = new Failure(Kind.VALUE, out.rows, line, 0, 0, error, null);
                        return;
                    }
                    if (c != columns.label()) {
                        xo++;
                    }
                }
                out.rows++;
            }
            start = next;
        }
    }

    /** Parses one cell into its place; null, or the error's text after "record R (line L)". */
    private String cell(byte[] b, int from, int to, int c, Parsed out, int xo) {
        while (from < to && (b[from] & 0xFF) <= ' ') {
            from++;
        }
        while (to > from && (b[to - 1] & 0xFF) <= ' ') {
            to--;
        }
        double v = fastNumber(b, from, to);
        if (Double.isNaN(v)) {
            String text = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
            try {
                v = CsvText.parse(text, what -> new IllegalArgumentException(", " + columns.describe(c) + ": " + what));
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        return store(v, c, out, xo);
    }

    private String store(double v, int c, Parsed out, int xo) {
        if (c == columns.label()) {
            if (classes && (v < 0 || v != Math.rint(v) || v > 1 << 24)) {
                return ", " + columns.describe(c) + ": class label " + v + " is not an integer from 0 to " + (1 << 24);
            }
            out.y[out.rows] = (float) v;
        } else {
            out.x[xo] = (float) v;
        }
        return null;
    }

    /** A line that Commons CSV reads as one empty field: only white space, no delimiter. */
    private boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((b[i] & 0xFF) > ' ' || b[i] == delimiter) {
                return false;
            }
        }
        return true;
    }

    private String ragged(int fields) {
        return " has " + fields + " columns, expected " + columns.count() + " (as line " + columns.firstLine() + " of "
                + columnsSource + ")";
    }

    /**
     * The value of an ASCII decimal in {@link CsvText}'s syntax when it converts exactly with one
     * rounding (Clinger's fast path: at most 2^53 as an integer mantissa, a power of ten up to
     * 10^22, and within float32's range), which is then the value {@link Double#parseDouble}
     * gives; NaN for anything else, which the caller hands to {@link CsvText#parse}.
     */
    static double fastNumber(byte[] b, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int exponent = 0;
        int digits = 0;
        boolean any = false;
        for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
            any = true;
            if (mantissa != 0 || b[i] != '0') {
                if (++digits > 18) {
                    return Double.NaN;
                }
                mantissa = mantissa * 10 + (b[i] - '0');
            }
        }
        if (i < to && b[i] == '.') {
            for (i++; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
                any = true;
                if (mantissa != 0 || b[i] != '0') {
                    if (++digits > 18) {
                        return Double.NaN;
                    }
                    mantissa = mantissa * 10 + (b[i] - '0');
                }
                exponent--;
            }
        }
        if (!any) {
            return Double.NaN;
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            if (i == to) {
                return Double.NaN;
            }
            int e = 0;
            for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
                if (e > 1000) {
                    return Double.NaN;
                }
                e = e * 10 + (b[i] - '0');
            }
            exponent += negativeExponent ? -e : e;
        }
        if (i != to) {
            return Double.NaN;
        }
        double v;
        if (mantissa == 0) {
            v = 0;
        } else if (mantissa <= 1L << 53 && exponent >= -22 && exponent <= 22) {
            v = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
        } else {
            return Double.NaN;
        }
        if (Float.isInfinite((float) v)) {
            return Double.NaN;
        }
        return negative ? -v : v;
    }

    /** Commons CSV over the chunk's text, as the serial reader parses it. */
    private void parseText(byte[] b, int n, Parsed out) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, 0, n);
        CharBuffer text = CharBuffer.allocate(n);
        CoderResult r = decoder.decode(in, text, true);
        int decodedEnd = n;
        if (r.isError()) {
            decodedEnd = in.position();
        } else {
            decoder.flush(text);
        }
        text.flip();
        String s = text.toString();
        if (r.isError()) {
            // The serial reader delivers the records before the bad bytes and fails on the one holding them.
            int lastLine = s.lastIndexOf('\n');
            s = lastLine < 0 ? "" : s.substring(0, lastLine + 1);
        }
        parseRecords(s, out);
        if (out.failure == null && r.isError()) {
            long newlines = 0;
            for (int i = 0; i < decodedEnd; i++) {
                if (b[i] == '\n') {
                    newlines++;
                }
            }
            out.failure = new Failure(Kind.UTF8, out.rows, 0, newlines, decodedEnd, null, null);
        }
    }

    private void parseRecords(String text, Parsed out) {
        int features = columns.featureCount();
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(csv).get()) {
            var rows = parser.iterator();
            long endOfPrevious = 0;
            while (true) {
                CSVRecord row;
                try {
                    if (!rows.hasNext()) {
                        return;
                    }
                    row = rows.next();
                } catch (UncheckedIOException e) {
                    out.failure = new Failure(Kind.READ, out.rows, parser.getCurrentLineNumber(), 0, 0, null,
                            e.getCause());
                    return;
                }
                long line = endOfPrevious + 1;
                endOfPrevious = parser.getCurrentLineNumber();
                if (row.size() == 1 && row.get(0).isEmpty()) {
                    continue;
                }
                if (row.size() != columns.count()) {
                    out.failure = new Failure(Kind.VALUE, out.rows, line, 0, 0, ragged(row.size()), null);
                    return;
                }
                int xo = out.rows * features;
                for (int c = 0; c < row.size(); c++) {
                    String error;
                    int col = c;
                    try {
                        double v = CsvText.parse(row.get(c),
                                what -> new IllegalArgumentException(", " + columns.describe(col) + ": " + what));
                        error = store(v, c, out, xo);
                    } catch (IllegalArgumentException e) {
                        error = e.getMessage();
                    }
                    if (error != null) {
                        out.failure = new Failure(Kind.VALUE, out.rows, line, 0, 0, error, null);
                        return;
                    }
                    if (c != columns.label()) {
                        xo++;
                    }
                }
                out.rows++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }
}
