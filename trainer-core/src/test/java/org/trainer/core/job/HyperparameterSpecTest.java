package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyperparameterSpecTest {

    static HyperparameterSpec spec() {
        return new HyperparameterSpec()
                .integer("epochs", 10)
                .number("learning_rate", 0.01)
                .bool("shuffle", true)
                .string("run_name", "base")
                .choice("optimizer", "sgd", "sgd", "adam")
                .integer("batch_size");
    }

    private static String failure(Path dir, String json) throws IOException {
        Path f = dir.resolve("hyperparameters.json");
        Files.writeString(f, json);
        return assertThrows(JobConfigurationException.class, () -> spec().parse(f)).getMessage();
    }

    @Test
    void sageMakerStringsAndJsonValuesParseToTheSameTypedValues(@TempDir Path dir) throws IOException {
        Path strings = dir.resolve("a.json");
        Files.writeString(strings, "{\"epochs\": \"20\", \"learning_rate\": \"2.5e-3\", \"shuffle\": \"False\","
                + " \"optimizer\": \"adam\", \"batch_size\": \"64\", \"run_name\": \"x\"}");
        Path typed = dir.resolve("b.json");
        Files.writeString(typed, "{\"epochs\": 20, \"learning_rate\": 0.0025, \"shuffle\": false,"
                + " \"optimizer\": \"adam\", \"batch_size\": 64.0, \"run_name\": \"x\"}");
        for (Path f : List.of(strings, typed)) {
            Hyperparameters hp = spec().parse(f);
            assertEquals(20, hp.getInt("epochs"));
            assertEquals(20L, hp.getLong("epochs"));
            assertEquals(0.0025, hp.getDouble("learning_rate"));
            assertFalse(hp.getBoolean("shuffle"));
            assertEquals("adam", hp.getString("optimizer"));
            assertEquals(64, hp.getInt("batch_size"));
            assertEquals("x", hp.getString("run_name"));
        }
        assertEquals(spec().parse(strings).asMap(), spec().parse(typed).asMap());
    }

    @Test
    void absentValuesTakeTheirDefaults() {
        Hyperparameters hp = spec().parse(Map.of("batch_size", 32L));
        assertEquals(10, hp.getInt("epochs"));
        assertEquals(0.01, hp.getDouble("learning_rate"));
        assertTrue(hp.getBoolean("shuffle"));
        assertEquals("sgd", hp.getString("optimizer"));
        assertFalse(hp.isSet("epochs"));
        assertTrue(hp.isSet("batch_size"));
        assertEquals(List.of("epochs", "learning_rate", "shuffle", "run_name", "optimizer", "batch_size"),
                List.copyOf(hp.asMap().keySet()));
    }

    @Test
    void aMissingFileMeansEveryDefault(@TempDir Path dir) throws IOException {
        Hyperparameters hp = new HyperparameterSpec().integer("epochs", 3).parse(dir.resolve("absent.json"));
        assertEquals(3, hp.getInt("epochs"));
    }

    @Test
    void eachBadValueFailsWithAMessageNamingItTheValueAndTheExpectation(@TempDir Path dir) throws IOException {
        String ok = "\"batch_size\": 8";
        assertEquals("hyperparameters.json: unknown hyperparameter 'learning_rat'; declared: [epochs, learning_rate,"
                        + " shuffle, run_name, optimizer, batch_size]",
                failure(dir, "{" + ok + ", \"learning_rat\": 0.1}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got \"ten\"",
                failure(dir, "{" + ok + ", \"epochs\": \"ten\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got 10.5",
                failure(dir, "{" + ok + ", \"epochs\": 10.5}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got \"10.5\"",
                failure(dir, "{" + ok + ", \"epochs\": \"10.5\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got true",
                failure(dir, "{" + ok + ", \"epochs\": true}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got 99999999999999999999"
                        + " (beyond the 64-bit range)",
                failure(dir, "{" + ok + ", \"epochs\": 99999999999999999999}"));
        assertEquals("hyperparameters.json: hyperparameter 'learning_rate' must be a finite number, got \"fast\"",
                failure(dir, "{" + ok + ", \"learning_rate\": \"fast\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'learning_rate' must be a finite number, got \"NaN\"",
                failure(dir, "{" + ok + ", \"learning_rate\": \"NaN\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'learning_rate' must be a finite number, got \"0x1p3\"",
                failure(dir, "{" + ok + ", \"learning_rate\": \"0x1p3\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'shuffle' must be true or false, got \"yes\"",
                failure(dir, "{" + ok + ", \"shuffle\": \"yes\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'shuffle' must be true or false, got 1",
                failure(dir, "{" + ok + ", \"shuffle\": 1}"));
        assertEquals("hyperparameters.json: hyperparameter 'optimizer' must be one of [sgd, adam], got \"adamw\"",
                failure(dir, "{" + ok + ", \"optimizer\": \"adamw\"}"));
        assertEquals("hyperparameters.json: hyperparameter 'run_name' must be a string, got null",
                failure(dir, "{" + ok + ", \"run_name\": null}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got an array",
                failure(dir, "{" + ok + ", \"epochs\": [1, 2]}"));
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got an object",
                failure(dir, "{" + ok + ", \"epochs\": {\"value\": 1}}"));
        assertEquals("hyperparameters.json: hyperparameter 'batch_size' is required (an integer) but absent",
                failure(dir, "{\"epochs\": 3}"));
        assertEquals("hyperparameters.json: expected a JSON object, got [", failure(dir, "[1, 2]"));
        assertEquals("hyperparameters.json: expected a JSON object, got an empty file", failure(dir, ""));
        assertTrue(failure(dir, "{\"epochs\": 3,}").startsWith("hyperparameters.json: not valid JSON: "),
                failure(dir, "{\"epochs\": 3,}"));
        assertTrue(failure(dir, "{\"epochs\": 3, \"epochs\": 4}").contains("Duplicate field 'epochs'"),
                failure(dir, "{\"epochs\": 3, \"epochs\": 4}"));
    }

    @Test
    void readingUnderTheWrongTypeOrAnUndeclaredNameIsAnError() {
        Hyperparameters hp = spec().parse(Map.of("batch_size", "8"));
        assertEquals("Hyperparameters: 'learning_rate' is declared as number, read as integer",
                assertThrows(IllegalArgumentException.class, () -> hp.getInt("learning_rate")).getMessage());
        assertEquals("Hyperparameters: 'epochs' is declared as integer, read as a string",
                assertThrows(IllegalArgumentException.class, () -> hp.getString("epochs")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> hp.getDouble("lr")).getMessage()
                .startsWith("Hyperparameters: 'lr' was not declared; declared: [epochs,"));
        Hyperparameters big = spec().parse(Map.of("batch_size", "8", "epochs", "4000000000"));
        assertEquals(4_000_000_000L, big.getLong("epochs"));
        assertEquals("hyperparameter 'epochs' is 4000000000, beyond the int range",
                assertThrows(JobConfigurationException.class, () -> big.getInt("epochs")).getMessage());
    }

    @Test
    void declarationsAreChecked() {
        assertEquals("HyperparameterSpec: 'epochs' is declared twice", assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSpec().integer("epochs", 1).number("epochs", 2)).getMessage());
        assertEquals("Hyperparameter 'opt': default 'adamw' is not one of [sgd, adam]",
                assertThrows(IllegalArgumentException.class,
                        () -> new HyperparameterSpec().choice("opt", "adamw", "sgd", "adam")).getMessage());
        assertEquals("Hyperparameter 'lr': default must be finite, got NaN", assertThrows(
                IllegalArgumentException.class, () -> new HyperparameterSpec().number("lr", Double.NaN)).getMessage());
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("optimizer", null);
        raw.put("batch_size", 1L);
        assertEquals("hyperparameter 'optimizer' must be one of [sgd, adam], got null",
                assertThrows(JobConfigurationException.class, () -> spec().parse(raw)).getMessage());
        assertEquals("[a: integer = 1, b: choice [x, y] (required)]",
                Arrays.toString(new HyperparameterSpec().integer("a", 1).choice("b", null, "x", "y")
                        .declared().values().toArray()));
    }
}
