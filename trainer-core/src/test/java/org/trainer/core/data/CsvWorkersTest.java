package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** CSV decoded by worker threads gives the serial reader's records, values and errors. */
class CsvWorkersTest {

    /** A number as writers spell it, in one of many forms (exponents, signs, long digit runs, zeros). */
    static String number(SplittableRandom r) {
        return switch (r.nextInt(9)) {
            case 0 -> Integer.toString(r.nextInt(256));
            case 1 -> Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30)));
            case 2 -> Float.toString((float) r.nextGaussian());
            case 3 -> String.format("%.6f", r.nextDouble() * 100 - 50);
            case 4 -> (r.nextBoolean() ? "-" : "+") + "0" + (r.nextBoolean() ? "." : "");
            case 5 -> "." + r.nextInt(1000);
            case 6 -> Long.toString(r.nextLong()) + r.nextInt(100_000); // more digits than the fast path takes
            case 7 -> r.nextInt(100) + "e" + r.nextInt(-40, 37);
            default -> "  " + r.nextInt(-999, 999) / 10.0 + " "; // spaces around, trimmed
        };
    }

    /** n rows of 6 cells and a label, with blank lines, CRLF endings, an optional header and BOM. */
    static byte[] csv(int n, long seed, boolean header, boolean bom, boolean crlf) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder(bom ? "\uFEFF" : "");
        String eol = crlf ? "\r\n" : "\n";
        if (header) {
            s.append("\n  \na,b,c,d,e,f,label").append(eol);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                s.append(number(r)).append(',');
            }
            s.append(r.nextInt(10)).append(eol);
            if (r.nextInt(50) == 0) {
                s.append(r.nextBoolean() ? eol : "   " + eol);
            }
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static RecordSource bytes(String name, byte[] b) {
        return RecordSource.of(name, () -> new ByteArrayInputStream(b));
    }

    private static StreamingLoader loader(CsvRecords f) {
        return StreamingLoader.builder(f).batchSize(1000).build();
    }

    @Test
    void workersGiveTheSerialBatchesBitwise() throws Exception {
        byte[] a = csv(12_000, 1, true, true, false);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(csv(4_000, 2, true, false, true));
        }
        byte[] b = gz.toByteArray();
        List<Function<RecordSource[], CsvRecords>> formats = List.of(
                s -> CsvRecords.classes(-1, s).withHeader(true),
                s -> CsvRecords.regression(2, s).withHeader(true));
        for (var format : formats) {
            CsvRecords serial = format.apply(new RecordSource[] {bytes("a.csv", a), bytes("b.csv.gz", b)});
            for (int workers : format == formats.get(0) ? new int[] {1, 2, 3} : new int[] {2}) {
                CsvRecords parallel = format.apply(new RecordSource[] {bytes("a.csv", a), bytes("b.csv.gz", b)})
                        .withWorkers(workers);
                assertEquals(16, PipeModeTest.assertSameBatches(loader(serial), loader(parallel), 0));
            }
        }
        byte[] noHeader = csv(5_000, 3, false, false, false);
        PipeModeTest.assertSameBatches(loader(CsvRecords.classes(-1, bytes("c.csv", noHeader))),
                loader(CsvRecords.classes(-1, bytes("c.csv", noHeader)).withWorkers(2)), 0);
    }

    /** The message of the first error of an epoch with {@code workers} decode threads. */
    private static String error(byte[] content, int workers, boolean header) {
        CsvRecords f = CsvRecords.classes(-1, bytes("e.csv", content)).withHeader(header).withWorkers(workers);
        return assertThrows(RuntimeException.class, () -> {
            try (BatchIterator it = loader(f).iterator(0)) {
                while (it.hasNext()) {
                    it.next();
                }
            }
        }).getMessage();
    }

    /** The test data with {@code bad} in place of line {@code at} (0-based, counting the header line). */
    private static byte[] withLine(byte[] good, int at, String bad) {
        String[] lines = new String(good, StandardCharsets.UTF_8).split("\n", -1);
        lines[at] = bad;
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void workersFailAtTheSameRecordWithTheSameMessage() {
        byte[] good = csv(8_000, 4, true, false, false);
        List<String> bad = List.of("1,2,3,4,5,6,7,8", "1,2,x,4,5,6,7", "1,2,3,NaN,5,6,7", "1,2,3,4,5,6,1.5",
                "1,2,3,4,5,6,-1", "1,2,3,4,5,6,2.5f", "1,2,3,4,1e39,6,7", "1,2,,4,5,6,7", "1;2;3;4;5;6;7");
        for (String line : bad) {
            for (int at : new int[] {3, 7_000}) { // the first data row, and several chunks in
                byte[] content = withLine(good, at, line);
                String expected = error(content, 0, true);
                assertEquals(expected, error(content, 2, true), line + " at line " + at);
            }
        }
        // A quote left open runs to the end of the data: both fail at the same record, the serial reader
        // seeing the rest of the file and the workers the rest of the chunk.
        byte[] open = withLine(good, 7_000, "1,2,3,\"4,5,6,7");
        String serial = error(open, 0, true);
        String prefix = serial.substring(0, serial.indexOf("(near line"));
        assertEquals(true, error(open, 2, true).startsWith(prefix), serial + " / " + error(open, 2, true));
        byte[] utf8 = withLine(good, 6_000, "1,2,3,4,5,6,7");
        utf8 = Arrays.copyOf(utf8, utf8.length);
        int at = new String(utf8, StandardCharsets.ISO_8859_1).indexOf("\n1,2,3,4,5,6,7\n") + 3;
        utf8[at] = (byte) 0xC3; // a lead byte followed by ',' is no UTF-8
        assertEquals(error(utf8, 0, true), error(utf8, 1, true));
        byte[] empty = "a,b\n\n  \n".getBytes(StandardCharsets.UTF_8);
        assertEquals(error(empty, 0, true), error(empty, 2, true));
        assertEquals("CsvRecords: workers must be >= 0 threads, got -1", assertThrows(IllegalArgumentException.class,
                () -> CsvRecords.classes(0, bytes("x", empty)).withWorkers(-1)).getMessage());
    }

    @Test
    void theFastNumberPathGivesParseDoublesValueOrDefers() {
        SplittableRandom r = new SplittableRandom(7);
        int fast = 0;
        for (int i = 0; i < 200_000; i++) {
            String s = number(r).trim();
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            double v = CsvChunkParser.fastNumber(b, 0, b.length);
            if (!Double.isNaN(v)) {
                fast++;
                assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(v), s);
            }
        }
        assertEquals(true, fast > 100_000, "most numbers take the fast path: " + fast);
        for (String s : new String[] {"", ".", "-", "1e", "1e+", "0x10", "1.5f", "NaN", "1,5", "--1", "1e400"}) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertEquals(Double.NaN, CsvChunkParser.fastNumber(b, 0, b.length), "'" + s + "' is left to CsvText");
        }
    }
}
