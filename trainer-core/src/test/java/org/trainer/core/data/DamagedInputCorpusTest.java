package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.JobConfigurationException;

/**
 * Damaged inputs of the formats a job reads (hyperparameters.json, CSV, IDX): each is refused with
 * an exception of the expected type whose message names the file and says what is wrong.
 */
class DamagedInputCorpusTest {
    @TempDir
    static Path dir;

    /** Reads a damaged input; throws what the reader throws. */
    @FunctionalInterface
    interface Read {
        void run() throws Exception;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    // ---- hyperparameters.json

    private static final HyperparameterSpec SPEC = new HyperparameterSpec()
            .integer("batch_size", 32).atLeast("batch_size", 1)
            .number("lr", 0.1).between("lr", 0, 10)
            .bool("shuffle", true)
            .choice("opt", "sgd", "sgd", "adam");

    private static Read hyperparameters(byte[] json) {
        return () -> {
            Path sub = Files.createTempDirectory(dir, "hp");
            SPEC.parse(Files.write(sub.resolve("hyperparameters.json"), json));
        };
    }

    private static Arguments hp(String json, String expected) {
        return hp(utf8(json), json, expected);
    }

    private static Arguments hp(byte[] json, String label, String expected) {
        return Arguments.of("hyperparameters.json " + label, hyperparameters(json), JobConfigurationException.class,
                List.of("hyperparameters.json: " + expected));
    }

    // ---- CSV: in memory (CsvReader) and streamed (CsvRecords)

    private static Read csv(byte[] content) {
        return () -> CsvReader.classColumn(-1).read(new ByteArrayInputStream(content), "d.csv");
    }

    private static Read csvStreamed(byte[] content) {
        return () -> {
            RecordFormat f = CsvRecords.classColumn(-1, RecordSource.of("d.csv", () -> new ByteArrayInputStream(content)));
            drain(f);
        };
    }

    private static void drain(RecordFormat f) throws IOException {
        try (RecordReader r = f.open()) {
            float[] features = new float[Arrays.stream(r.featureShape()).reduce(1, (a, b) -> a * b)];
            float[] target = new float[1];
            while (r.read(features, 0, target, 0)) {
                // reading is the check
            }
        }
    }

    private static Arguments csvCase(String label, Read read, Class<? extends Exception> type, String... expected) {
        List<String> all = new ArrayList<>(List.of("d.csv: "));
        all.addAll(List.of(expected));
        return Arguments.of("CSV " + label, read, type, all);
    }

    // ---- IDX: images [3, 2, 2] and labels [3]

    private static byte[] idx(int[] shape, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int magic = 0x0800 | shape.length;
        for (int v : concatInts(magic, shape)) {
            out.writeBytes(bytes(v >>> 24, v >>> 16, v >>> 8, v));
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static int[] concatInts(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static final byte[] IMAGES = idx(new int[] {3, 2, 2}, bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    private static final byte[] LABELS = idx(new int[] {3}, bytes(1, 2, 3));

    private static byte[] flip(byte[] b, int at, int mask) {
        byte[] out = b.clone();
        out[at] ^= (byte) mask;
        return out;
    }

    private static byte[] gzip(byte[] b) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(b);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Read idxImages(String name, byte[] content) {
        return () -> org.trainer.core.data.IdxReader.readImages(file(name, content), false);
    }

    private static Read idxStreamed(String name, byte[] images) {
        return () -> drain(IdxRecords.of(file(name, images), file("labels-" + name, LABELS), false));
    }

    private static Arguments idxCase(String label, Read read, String name, String... expected) {
        List<String> all = new ArrayList<>(List.of(dir.resolve(name) + (label.contains("mismatch") ? " " : ": ")));
        all.addAll(List.of(expected));
        return Arguments.of("IDX " + label, read, IOException.class, all);
    }

    static Stream<Arguments> corpus() {
        byte[] bom = bytes(0xEF, 0xBB, 0xBF);
        return Stream.of(
                hp("{\"batch_size\": -32}", "batch_size = -32, expected >= 1"),
                hp("{\"batch_size\": \"-32\"}", "batch_size = -32, expected >= 1"),
                hp("{\"batch_size\": \"many\"}", "hyperparameter 'batch_size' must be an integer >= 1, got \"many\""),
                hp("{\"batch_size\": 1.5}", "hyperparameter 'batch_size' must be an integer >= 1, got 1.5"),
                hp("{\"batch_size\": null}", "hyperparameter 'batch_size' must be an integer >= 1, got null"),
                hp("{\"batch_size\": [32]}", "hyperparameter 'batch_size' must be an integer >= 1, got an array"),
                hp("{\"batch_size\": 99999999999999999999}", "hyperparameter 'batch_size' must be an integer >= 1, got "
                        + "99999999999999999999 (beyond the 64-bit range)"),
                hp("{\"lr\": 11}", "lr = 11, expected >= 0 and <= 10"),
                hp("{\"lr\": \"0x1p3\"}", "hyperparameter 'lr' must be a finite number >= 0 and <= 10, got \"0x1p3\""),
                hp("{\"lr\": \"2.5f\"}", "hyperparameter 'lr' must be a finite number >= 0 and <= 10, got \"2.5f\""),
                hp("{\"shuffle\": \"yes\"}", "hyperparameter 'shuffle' must be true or false, got \"yes\""),
                hp("{\"opt\": \"rmsprop\"}", "hyperparameter 'opt' must be one of [sgd, adam], got \"rmsprop\""),
                hp("{\"optimiser\": \"sgd\"}", "unknown hyperparameter 'optimiser'"),
                hp("[1, 2]", "expected a JSON object"),
                hp("{\"batch_size\": 3", "not valid JSON"),
                hp("{\"batch_size\": 3} {}", "unexpected text after the JSON object"),
                hp(concat(utf8("{\"opt\": \""), bytes(0xFF, 0xFE), utf8("\"}")), "with bytes FF FE", "not valid JSON"),

                csvCase("2.5f", csv(utf8("1,2.5f,0\n")), IllegalArgumentException.class,
                        "line 1, column 2: not a number: \"2.5f\" (Java syntax is refused"),
                csvCase("0x1p3", csv(utf8("1,2,0\n0x1p3,1,0\n")), IllegalArgumentException.class,
                        "line 2, column 1: not a number: \"0x1p3\""),
                csvCase("3d", csv(utf8("3d,1,0\n")), IllegalArgumentException.class, "column 1: not a number: \"3d\""),
                csvCase("1_000", csv(utf8("1_000,1,0\n")), IllegalArgumentException.class, "not a number: \"1_000\""),
                csvCase("NaN", csv(utf8("NaN,1,0\n")), IllegalArgumentException.class, "is not finite"),
                csvCase("1e39", csv(utf8("1e39,1,0\n")), IllegalArgumentException.class, "overflows float32"),
                csvCase("ragged", csv(utf8("1,2,0\n1,2\n")), IllegalArgumentException.class,
                        "line 2 has 2 columns, expected 3"),
                csvCase("negative label", csv(utf8("1,2,-1\n")), IllegalArgumentException.class,
                        "line 1, column 3: class label -1.0 is not an integer"),
                csvCase("empty", csv(new byte[0]), IllegalArgumentException.class, "no data rows"),
                csvCase("BOM only", csv(bom), IllegalArgumentException.class, "no data rows"),
                csvCase("BOM inside", csv(concat(utf8("1,2,0\n"), bom, utf8("1,2,0\n"))),
                        IllegalArgumentException.class, "line 2, column 1: not a number"),
                csvCase("bad UTF-8", csv(concat(utf8("1,2,0\n1,"), bytes(0xC3, 0x28), utf8(",0\n"))),
                        IOException.class, "not valid UTF-8 at byte 8 (line 2)"),
                csvCase("unterminated quote", csv(utf8("1,\"2,0\n")), IOException.class, "near line 1"),
                csvCase("streamed 2.5f", csvStreamed(utf8("1,2.5f,0\n")), IllegalArgumentException.class,
                        "record 1 (line 1), column 2: not a number: \"2.5f\""),
                csvCase("streamed ragged", csvStreamed(utf8("1,2,0\n\n1,2\n")), IllegalArgumentException.class,
                        "record 2 (line 3) has 2 columns, expected 3"),
                csvCase("streamed bad UTF-8", csvStreamed(concat(utf8("1,2,0\n"), bytes(0x80), utf8(",2,0\n"))),
                        IOException.class, "not valid UTF-8 at byte 6 (line 2)"),

                idxCase("header cut at 2", idxImages("h2", Arrays.copyOf(IMAGES, 2)), "h2",
                        "truncated header: expected 4 bytes for the magic number, got 2"),
                idxCase("header cut at 6", idxImages("h6", Arrays.copyOf(IMAGES, 6)), "h6",
                        "truncated header: expected 4 bytes for the size of dimension 0, got 2"),
                idxCase("header cut at 13", idxImages("h13", Arrays.copyOf(IMAGES, 13)), "h13",
                        "truncated header: expected 4 bytes for the size of dimension 2, got 1"),
                idxCase("data cut at 16", idxImages("d16", Arrays.copyOf(IMAGES, 16)), "d16",
                        "truncated: record 1 of 3 is cut short at byte 16 (it needs 4 bytes, got 0)"),
                idxCase("data cut at 21", idxImages("d21", Arrays.copyOf(IMAGES, 21)), "d21",
                        "truncated: record 2 of 3 is cut short at byte 21 (it needs 4 bytes, got 1)"),
                idxCase("data cut at 27", idxImages("d27", Arrays.copyOf(IMAGES, 27)), "d27",
                        "truncated: record 3 of 3 is cut short at byte 27 (it needs 4 bytes, got 3)"),
                idxCase("magic bit flip", idxImages("m", flip(IMAGES, 0, 0x10)), "m", "bad magic number 0x10000803"),
                idxCase("type bit flip", idxImages("t", flip(IMAGES, 2, 0x01)), "t", "unsupported IDX data type 0x09"),
                idxCase("rank 0", idxImages("r0", flip(IMAGES, 3, 0x03)), "r0", "declares 0 dimensions"),
                idxCase("size sign bit", idxImages("s", flip(IMAGES, 4, 0x80)), "s", "dimension 0 has negative size"),
                idxCase("size grown", idxImages("g", flip(IMAGES, 7, 0x04)), "g",
                        "truncated: record 4 of 7 is cut short at byte 28"),
                idxCase("size shrunk", idxImages("k", flip(IMAGES, 7, 0x01)), "k", "trailing bytes"),
                idxCase("gzip cut", idxImages("z", Arrays.copyOf(gzip(IMAGES), 20)), "z",
                        "corrupt or truncated gzip stream"),
                idxCase("streamed data cut at 21", idxStreamed("sd21", Arrays.copyOf(IMAGES, 21)), "sd21",
                        "truncated: record 2 of 3 is cut short at byte 21 (it needs 4 bytes, got 1)"),
                idxCase("streamed magic bit flip", idxStreamed("sm", flip(IMAGES, 1, 0x01)), "sm", "bad magic number"),
                idxCase("streamed count mismatch", idxStreamed("sc", flip(IMAGES, 7, 0x01)), "sc",
                        "holds 2 images but"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachDamagedInputIsRefusedWithANamedError(String label, Read read, Class<? extends Exception> type,
                                                  List<String> expected) {
        Exception e = assertThrows(type, read::run, label);
        String message = e.getMessage();
        assertTrue(message.startsWith(expected.get(0)), () -> label + ": the message does not start with the file: "
                + message);
        for (String part : expected.subList(1, expected.size())) {
            assertTrue(message.contains(part), () -> label + ": expected \"" + part + "\" in: " + message);
        }
    }

    @Test
    void theCorpusHoldsAtLeastTwentyFiveCases() {
        assertTrue(corpus().count() >= 25);
    }

    @Test
    void bothIdxReadersWordATruncationAlike() throws IOException {
        for (int cut : new int[] {16, 19, 20, 24, 27}) {
            Path f = file("same" + cut, Arrays.copyOf(IMAGES, cut));
            String memory = assertThrows(IOException.class, () -> IdxReader.readImages(f, false)).getMessage();
            String streamed = assertThrows(IOException.class,
                    () -> drain(IdxRecords.of(f, file("labels" + cut, LABELS), false))).getMessage();
            assertEquals(memory, streamed + "; shape [3, 2, 2]", "cut at " + cut);
        }
    }
}
