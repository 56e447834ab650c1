package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Class labels written as names, read as their index among the declared names; and the column-naming factories (CsvReader's and CsvRecords'). */
class CsvClassNamesTest {
    private static final String IRIS = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n"
            + "6.3,3.3, virginica\n4.9,3.0,setosa\n";

    private static TensorDataset read(CsvReader reader, String csv) throws IOException {
        return reader.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "iris.csv");
    }

    @Test
    void namesAreReadAsTheirIndexAmongTheDeclaredNames() throws IOException {
        CsvReader reader = CsvReader.classColumn(-1).withHeader(true).withClassNames("setosa", "versicolor", "virginica");
        TensorDataset d = read(reader, IRIS);
        assertArrayEquals(new int[] {0, 1, 2, 0}, d.targets().toIntArray());
        assertArrayEquals(new float[] {5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f, 4.9f, 3.0f}, d.features().toFloatArray());
        assertEquals(List.of("setosa", "versicolor", "virginica"), reader.classNames());
        assertEquals(List.of(), CsvReader.classColumn(0).classNames());
    }

    @Test
    void anUndeclaredNameIsRefusedWithItsLineAndColumn() {
        CsvReader reader = CsvReader.classColumn(-1).withHeader(true).withClassNames("setosa", "versicolor");
        String m = assertThrows(IllegalArgumentException.class, () -> read(reader, IRIS)).getMessage();
        assertTrue(m.startsWith("iris.csv: line 4, ") && m.contains("species")
                && m.contains("class label 'virginica' is not one of the declared names [setosa, versicolor]"), m);
        String numeric = assertThrows(IllegalArgumentException.class,
                () -> read(CsvReader.classColumn(-1).withHeader(true), IRIS)).getMessage();
        assertTrue(numeric.contains("line 2") && numeric.contains("species"), numeric);
    }

    @Test
    void badNameListsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CsvReader.classColumn(0).withClassNames());
        String m = assertThrows(IllegalArgumentException.class,
                () -> CsvReader.classColumn(0).withClassNames("a", "b", "a")).getMessage();
        assertTrue(m.contains("name 2 is 'a'"), m);
        assertThrows(IllegalStateException.class, () -> CsvReader.regression(0).withClassNames("a"));
    }

    @Test
    @SuppressWarnings("deprecation")
    void theDeprecatedClassesTakesTheLabelColumnAsClassColumnDoes() throws IOException {
        String csv = "1,2,0\n3,4,2\n";
        assertArrayEquals(read(CsvReader.classColumn(2), csv).targets().toIntArray(),
                read(CsvReader.classes(2), csv).targets().toIntArray());
        assertArrayEquals(new int[] {0, 2}, read(CsvReader.classes(2), csv).targets().toIntArray());
        RecordSource source = RecordSource.of("t.csv", () -> new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        for (RecordFormat format : List.of(CsvRecords.classColumn(2, source), CsvRecords.classes(2, source))) {
            try (BatchIterator it = StreamingLoader.builder(format).batchSize(2).build().iterator(0)) {
                assertArrayEquals(new int[] {0, 2}, it.next().targets().toIntArray(), format.toString());
            }
        }
    }
}
