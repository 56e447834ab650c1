package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The number syntax and the encoding rules, identical in the in-memory {@link CsvReader} and the
 * streaming {@link CsvRecords}: decimals as CSV writers write them are read, Java-only syntax is
 * refused with line and column, a UTF-8 byte-order mark is skipped, bytes that are not UTF-8 are
 * refused.
 */
class CsvNumberSyntaxTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static float[] inMemory(byte[] csv) throws IOException {
        return CsvReader.regression(-1).read(new ByteArrayInputStream(csv), "t.csv").features().toFloatArray();
    }

    /** Every feature of every record, read through the streaming reader's own API. */
    static float[] streamed(byte[] csv) throws IOException {
        RecordFormat f = CsvRecords.regression(-1, RecordSource.of("t.csv", () -> new ByteArrayInputStream(csv)));
        List<Float> all = new ArrayList<>();
        try (RecordReader r = f.open()) {
            float[] features = new float[r.featureShape()[0]];
            float[] target = new float[1];
            while (r.read(features, 0, target, 0)) {
                for (float v : features) {
                    all.add(v);
                }
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void decimalFormsAreReadAlikeByBothReaders() throws IOException {
        byte[] csv = utf8("1,-2.5,+3,.5,0\n6.,1e3,-2E-2,7.25e+1,0\n");
        float[] expected = {1, -2.5f, 3, .5f, 6, 1000, -0.02f, 72.5f};
        assertArrayEquals(expected, inMemory(csv));
        assertArrayEquals(expected, streamed(csv));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.5f", "3d", "0x1p3", "1.0D", "0X10P0"})
    void javaOnlySyntaxIsRefusedWithLineAndColumn(String cell) {
        byte[] csv = utf8("1,2,0\n4," + cell + ",0\n");
        String expected = "line 2, column 2: not a number: \"" + cell + "\" (Java syntax is refused: expected an "
                + "optional sign, digits, an optional fraction and exponent)";
        assertEquals("t.csv: " + expected,
                assertThrows(IllegalArgumentException.class, () -> inMemory(csv)).getMessage());
        assertEquals("t.csv: record 2 (" + expected.replace("line 2,", "line 2),"),
                assertThrows(IllegalArgumentException.class, () -> streamed(csv)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1_000", "1,5e", "--1", "1e", ".", "e5", "1.2.3"})
    void otherMalformedNumbersAreRefused(String cell) {
        byte[] csv = utf8("1,\"" + cell + "\",0\n");
        String expected = "not a number: \"" + cell.strip() + "\"";
        assertEquals("t.csv: line 1, column 2: " + expected,
                assertThrows(IllegalArgumentException.class, () -> inMemory(csv)).getMessage());
        assertEquals("t.csv: record 1 (line 1), column 2: " + expected,
                assertThrows(IllegalArgumentException.class, () -> streamed(csv)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "nan", "inf", "-Inf", "Infinity", "+infinity"})
    void everySpellingOfNanAndInfinityIsRefusedAsNotFinite(String cell) {
        byte[] csv = utf8("1," + cell + ",0\n");
        String expected = "\"" + cell + "\" is not finite; NaN and infinity are refused";
        assertEquals("t.csv: line 1, column 2: " + expected,
                assertThrows(IllegalArgumentException.class, () -> inMemory(csv)).getMessage());
        assertEquals("t.csv: record 1 (line 1), column 2: " + expected,
                assertThrows(IllegalArgumentException.class, () -> streamed(csv)).getMessage());
    }

    @Test
    void aByteOrderMarkAtTheStartIsSkipped() throws IOException {
        byte[] csv = concat(BOM, utf8("0.1,2,0\n3,4,1\n"));
        assertArrayEquals(new float[] {0.1f, 2, 3, 4}, inMemory(csv));
        assertArrayEquals(new float[] {0.1f, 2, 3, 4}, streamed(csv));
        byte[] withHeader = concat(BOM, utf8("x,y\n0.5,1\n"));
        TensorDataset d = CsvReader.regression(-1).withHeader(true).read(new ByteArrayInputStream(withHeader), "h.csv");
        assertArrayEquals(new float[] {0.5f}, d.features().toFloatArray());
    }

    @Test
    void aByteOrderMarkAnywhereElseIsNotANumber() {
        byte[] csv = concat(utf8("1,2,0\n"), concat(BOM, utf8("3,4,0\n")));
        assertEquals("t.csv: line 2, column 1: not a number: \"\uFEFF3\"",
                assertThrows(IllegalArgumentException.class, () -> inMemory(csv)).getMessage());
    }

    @Test
    void aBadByteAfterTheByteOrderMarkCountsItsOffsetInTheFile() {
        byte[] csv = concat(concat(BOM, utf8("1,")), new byte[] {(byte) 0xFF, ',', '0', '\n'});
        assertEquals("t.csv: not valid UTF-8 at byte 5 (line 1)",
                assertThrows(IOException.class, () -> inMemory(csv)).getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheLine() {
        byte[] csv = concat(utf8("1,2,0\n3,"), new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});
        IOException memory = assertThrows(IOException.class, () -> inMemory(csv));
        assertEquals("t.csv: not valid UTF-8 at byte 8 (line 2)", memory.getMessage());
        IOException stream = assertThrows(IOException.class, () -> streamed(csv));
        assertEquals("t.csv: not valid UTF-8 at byte 8 (line 2)", stream.getMessage());
    }
}
