package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;

class CsvReaderTest {
    @TempDir
    Path dir;

    private static TensorDataset read(CsvReader reader, String csv) throws IOException {
        return reader.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "t.csv");
    }

    private static String error(CsvReader reader, String csv) {
        return assertThrows(IllegalArgumentException.class, () -> read(reader, csv)).getMessage();
    }

    @Test
    void readsFeaturesAroundTheLabelColumn() throws IOException {
        TensorDataset d = read(CsvReader.classColumn(1), "1.5,2,3\n4,0,-6e-1\n");
        assertArrayEquals(new int[] {2, 2}, d.features().shape());
        assertEquals(DType.FLOAT32, d.features().dtype());
        assertArrayEquals(new float[] {1.5f, 3, 4, -0.6f}, d.features().toFloatArray());
        assertEquals(DType.INT32, d.targets().dtype());
        assertArrayEquals(new int[] {2, 0}, d.targets().toIntArray());
    }

    @Test
    void negativeLabelColumnCountsFromTheEndAndHeaderIsSkipped() throws IOException {
        TensorDataset d = read(CsvReader.classColumn(-1).withHeader(true), "a,b,class\n1,2,3.0\n\n4,5,1\n");
        assertArrayEquals(new float[] {1, 2, 4, 5}, d.features().toFloatArray());
        assertArrayEquals(new int[] {3, 1}, d.targets().toIntArray());
    }

    @Test
    void regressionTargetsAreFloat32() throws IOException {
        TensorDataset d = read(CsvReader.regression(0), "0.25,1\n-3.5,2\n");
        assertEquals(DType.FLOAT32, d.targets().dtype());
        assertArrayEquals(new float[] {0.25f, -3.5f}, d.targets().toFloatArray());
        assertArrayEquals(new int[] {2, 1}, d.features().shape());
    }

    @Test
    void handlesQuotesSpacesCrlfAndOtherDelimiters() throws IOException {
        TensorDataset d = read(CsvReader.classColumn(0).withDelimiter(';'), "\"1\"; 2 ;3\r\n0;\" 4\";5\r\n");
        assertArrayEquals(new float[] {2, 3, 4, 5}, d.features().toFloatArray());
        assertArrayEquals(new int[] {1, 0}, d.targets().toIntArray());
    }

    @Test
    void readsGzippedFiles() throws IOException {
        Path f = IdxFiles.write(dir.resolve("data.csv.gz"), "1,2\n3,4\n".getBytes(StandardCharsets.UTF_8), true);
        TensorDataset d = CsvReader.classColumn(1).read(f);
        assertArrayEquals(new float[] {1, 3}, d.features().toFloatArray());
        assertArrayEquals(new int[] {2, 4}, d.targets().toIntArray());
    }

    @Test
    void raggedRowNamesItsLineCountingHeaderAndBlankLines() {
        assertEquals("t.csv: line 5 has 2 columns, expected 3 (as line 1)",
                error(CsvReader.classColumn(2).withHeader(true), "x,y,c\n1,2,0\n\n3,4,1\n5,6\n"));
    }

    @Test
    void nonNumericCellNamesLineColumnAndHeader() {
        assertEquals("t.csv: line 3, column 2 (\"width\"): not a number: \"abc\"",
                error(CsvReader.classColumn(0).withHeader(true), "c,width\n0,1\n1,abc\n"));
        assertEquals("t.csv: line 1, column 3: not a number: \"\"", error(CsvReader.classColumn(0), "0,1,\n"));
    }

    @Test
    void nanInfinityAndFloatOverflowAreRefused() {
        assertEquals("t.csv: line 2, column 1: \"NaN\" is not finite; NaN and infinity are refused",
                error(CsvReader.classColumn(1), "1,0\nNaN,1\n"));
        assertEquals("t.csv: line 1, column 2: \"-Infinity\" is not finite; NaN and infinity are refused",
                error(CsvReader.regression(1), "1,-Infinity\n"));
        assertEquals("t.csv: line 1, column 1: 1e39 overflows float32 (max 3.4028235E38)",
                error(CsvReader.classColumn(1), "1e39,0\n"));
    }

    @Test
    void classLabelsMustBeNonNegativeIntegers() {
        assertEquals("t.csv: line 2, column 2: class label 2.5 is not an integer from 0 to 16777216",
                error(CsvReader.classColumn(1), "1,0\n1,2.5\n"));
        assertEquals("t.csv: line 1, column 2: class label -1.0 is not an integer from 0 to 16777216",
                error(CsvReader.classColumn(-1), "1,-1\n"));
    }

    @Test
    void labelsOutsideTheDeclaredClassesNameTheirLineAndColumn() throws IOException {
        CsvReader three = CsvReader.classColumn(-1).withHeader(true).withClasses(3);
        assertEquals("t.csv: line 4, column 3 (\"species\"): class label 3 is not one of the 3 classes (expected 0 to 2)",
                error(three, "a,b,species\n1,2,0\n3,4,2\n5,6,3\n"));
        assertArrayEquals(new int[] {0, 2}, read(three, "a,b,species\n1,2,0\n3,4,2\n").targets().toIntArray());
        assertEquals("CsvReader.withClasses: numClasses must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> CsvReader.classColumn(0).withClasses(0)).getMessage());
        assertThrows(IllegalStateException.class, () -> CsvReader.regression(0).withClasses(2));
    }

    @Test
    void emptyInputAndBadLabelColumnAreRefused() {
        assertEquals("t.csv: no data rows", error(CsvReader.classColumn(0), "\n\n"));
        assertEquals("t.csv: no data rows after the header", error(CsvReader.classColumn(0).withHeader(true), "a,b\n"));
        assertEquals("t.csv: labelColumn 3 is out of range for 3 columns at line 1 (expected -3 to 2)",
                error(CsvReader.classColumn(3), "1,2,3\n"));
    }

    @Test
    void unterminatedQuoteIsAnIoErrorNamingTheSource() {
        IOException e = assertThrows(IOException.class, () -> read(CsvReader.classColumn(0), "1,\"2\n"));
        assertEquals(true, e.getMessage().startsWith("t.csv: "), e.getMessage());
    }
}
