package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trainer.core.io.Safetensors;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.CorruptCheckpointException;

/**
 * A corpus of damaged safetensors files and checkpoints: truncations at many offsets, bit flips in
 * the header, wrong types, bad UTF-8, bad offsets. Each is refused with an error that names the
 * file (and the place), and nothing is changed: neither the model it was loaded into nor any file.
 */
class DamagedInputsTest {
    @TempDir
    static Path shared;
    private static byte[] good;
    private static Path checkpoint;

    @TempDir
    Path dir;

    private static Sequential model() {
        Seeds.set(3);
        return new Sequential(new Linear(4, 3), new Linear(3, 2));
    }

    @BeforeAll
    static void writeTheUndamaged() throws IOException {
        Path f = shared.resolve("good.safetensors");
        Safetensors.save(model(), f);
        good = Files.readAllBytes(f);
        Checkpointing c = Checkpointing.builder(shared.resolve("run")).everySteps(3).keepLast(1).build();
        assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(c, 5, 24));
        checkpoint = new CheckpointStore(c.directory()).list().get(0);
    }

    private static int headerLength() {
        return (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static String header() {
        return new String(good, 8, headerLength(), StandardCharsets.UTF_8);
    }

    /** The good file with its header replaced by {@code edit} of it (the length field follows). */
    private static byte[] withHeader(UnaryOperator<String> edit) {
        byte[] h = edit.apply(header()).getBytes(StandardCharsets.UTF_8);
        return withHeaderBytes(h);
    }

    private static byte[] withHeaderBytes(byte[] h) {
        byte[] data = Arrays.copyOfRange(good, 8 + headerLength(), good.length);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    private static byte[] withLength(long n) {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return b;
    }

    private static byte[] flip(int at, int bit) {
        byte[] b = good.clone();
        b[at] ^= (byte) (1 << bit);
        return b;
    }

    private static Arguments file(String name, String expected, byte[] bytes) {
        return Arguments.of(name, expected, bytes);
    }

    static Stream<Arguments> safetensors() {
        List<Arguments> cases = new ArrayList<>();
        int n = headerLength();
        for (int cut : new int[] {0, 5, 8, 9, 8 + n / 2, 8 + n - 1, 8 + n, 8 + n + 7, good.length - 1}) {
            String expected = cut < 8 ? "expected at least 8" : cut < 8 + n ? "does not fit the file"
                    : "(the data's size in bytes)";
            cases.add(file("truncated to " + cut + " bytes", expected, Arrays.copyOf(good, cut)));
        }
        cases.add(file("extended by 4 bytes", "the header covers", Arrays.copyOf(good, good.length + 4)));
        cases.add(file("header length past the file", "header length " + (good.length), withLength(good.length)));
        cases.add(file("negative header length", "header length -5", withLength(-5)));
        cases.add(file("bad JSON", "is not valid JSON at byte", withHeader(h -> h.replaceFirst("\\{", "{{"))));
        cases.add(file("header an array", "is not a JSON object", withHeader(h -> "[]")));
        cases.add(file("trailing content", "after its object", withHeader(h -> h.trim() + " {}")));
        byte[] badUtf8 = header().getBytes(StandardCharsets.UTF_8);
        int q = header().indexOf("0.weight");
        badUtf8[q] = (byte) 0xC3;
        badUtf8[q + 1] = (byte) 0x28;
        cases.add(file("bad UTF-8 in a name", "not valid", withHeaderBytes(badUtf8)));
        cases.add(file("unknown dtype", "has dtype C64; supported: F16, BF16, F32, F64, I32, I64",
                withHeader(h -> h.replaceFirst("\"F32\"", "\"C64\""))));
        cases.add(file("dtype a number", "has dtype VALUE_NUMBER_INT, expected a string",
                withHeader(h -> h.replaceFirst("\"F32\"", "32"))));
        cases.add(file("shape a string", "has shape VALUE_STRING, expected an array of integers",
                withHeader(h -> h.replaceFirst("\"shape\":\\[[^]]*]", "\"shape\":\"3x4\""))));
        cases.add(file("negative size", "expected sizes from 0 to",
                withHeader(h -> h.replaceFirst("\"shape\":\\[3,4]", "\"shape\":[-3,-4]"))));
        cases.add(file("a fractional offset", "in data_offsets, expected integers",
                withHeader(h -> h.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[0.5,"))));
        cases.add(file("one offset", "needs dtype, shape and two data_offsets",
                withHeader(h -> h.replaceFirst("\"data_offsets\":\\[0,48]", "\"data_offsets\":[48]"))));
        cases.add(file("offsets past the data", "expected 0 <= begin <= end <=",
                withHeader(h -> h.replaceFirst("\"data_offsets\":\\[0,48]", "\"data_offsets\":[0,4800]"))));
        cases.add(file("reversed offsets", "has data_offsets [48, 0]",
                withHeader(h -> h.replaceFirst("\"data_offsets\":\\[0,48]", "\"data_offsets\":[48,0]"))));
        cases.add(file("overlapping offsets", "it overlaps the entry before",
                withHeader(h -> h.replaceFirst("\"data_offsets\":\\[48,60]", "\"data_offsets\":[40,52]"))));
        cases.add(file("duplicate name", "Duplicate field '0.weight'",
                withHeader(h -> h.replaceFirst("\"0.bias\"", "\"0.weight\""))));
        cases.add(file("an entry not an object", "entry '0.weight' is not an object",
                withHeader(h -> h.replaceFirst("\"0.weight\":\\{[^}]*}", "\"0.weight\":[1]"))));
        cases.add(file("shape not matching the offsets", "needs 44 bytes, its offsets span 48",
                withHeader(h -> h.replaceFirst("\"shape\":\\[3,4]", "\"shape\":[11,1]"))));
        cases.add(file("a shape the model does not have", "parameter 0.weight has shape [3, 4], got [4, 3]",
                withHeader(h -> h.replaceFirst("\"shape\":\\[3,4]", "\"shape\":[4,3]"))));
        cases.add(file("a name the model does not have", "missing [0.weight], unexpected [0.weighs]",
                withHeader(h -> h.replaceFirst("\"0.weight\"", "\"0.weighs\""))));
        // Bit flips spread over the length field and the header: every one must be caught.
        for (int at = 0; at < 8 + n; at += Math.max(1, (8 + n) / 12)) {
            cases.add(file("bit " + (at % 8) + " of byte " + at + " flipped", "", flip(at, at % 8)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "safetensors: {0}")
    @MethodSource("safetensors")
    void aDamagedSafetensorsFileIsRefusedAndTheModelUnchanged(String name, String expected, byte[] bytes)
            throws IOException {
        assertTrue(header().startsWith("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}"
                + ",\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]}"), header());
        Path f = dir.resolve("damaged.safetensors");
        Files.write(f, bytes);
        Sequential m = model();
        Map<String, float[]> before = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
        Exception e = assertThrows(Exception.class, () -> Safetensors.load(m, f));
        assertTrue(e instanceof IOException || e instanceof IllegalArgumentException, e.toString());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        m.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), k));
        assertArrayEquals(bytes, Files.readAllBytes(f));
    }

    private static Arguments damage(String name, String expected, Damage d) {
        return Arguments.of(name, expected, d);
    }

    interface Damage {
        void apply(Path checkpoint) throws Exception;
    }

    private static void resum(Path c) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String f : List.of("model.safetensors", "optimizer.safetensors", "state.safetensors", "trainer.json")) {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(c.resolve(f)));
            s.append(HexFormat.of().formatHex(sum)).append("  ").append(f).append('\n');
        }
        Files.writeString(c.resolve("checksums.sha256"), s);
    }

    /** Rewrites trainer.json through {@code edit} and records its new checksum, as a careless tool would. */
    private static Damage trainerJson(UnaryOperator<String> edit) {
        return c -> {
            Path t = c.resolve("trainer.json");
            Files.writeString(t, edit.apply(Files.readString(t)));
            resum(c);
        };
    }

    static Stream<Arguments> checkpoints() {
        return Stream.of(
                damage("no checksums", "it has no checksums.sha256", c -> Files.delete(c.resolve("checksums.sha256"))),
                damage("a malformed checksum line", "checksums.sha256 line 1 is malformed",
                        c -> Files.writeString(c.resolve("checksums.sha256"), "zz  model.safetensors\n")),
                damage("weights truncated", "model.safetensors (", c -> {
                    Path w = c.resolve("model.safetensors");
                    Files.write(w, Arrays.copyOf(Files.readAllBytes(w), 100));
                }),
                damage("a bit flipped in the optimizer's data", "optimizer.safetensors (", c -> {
                    Path w = c.resolve("optimizer.safetensors");
                    byte[] b = Files.readAllBytes(w);
                    b[b.length - 1] ^= 4;
                    Files.write(w, b);
                }),
                damage("state missing", "state.safetensors is missing", c -> Files.delete(c.resolve("state.safetensors"))),
                damage("weights with a bad header, checksum updated", "model.safetensors: the header", c -> {
                    Path w = c.resolve("model.safetensors");
                    byte[] b = Files.readAllBytes(w);
                    b[8] = '[';
                    Files.write(w, b);
                    resum(c);
                }),
                damage("trainer.json not JSON, checksum updated", "trainer.json",
                        trainerJson(s -> s.substring(0, s.length() / 2))),
                damage("an epoch of the wrong type", "trainer.json: 'epoch' holds VALUE_NUMBER_FLOAT; expected",
                        trainerJson(s -> s.replaceFirst("\"epoch\"\\s*:\\s*0", "\"epoch\" : 0.5"))),
                damage("a negative epoch", "needs a whole number >= 0 for 'epoch', got -1",
                        trainerJson(s -> s.replaceFirst("\"epoch\"\\s*:\\s*0", "\"epoch\" : -1"))),
                damage("an epoch as text", "needs a whole number >= 0 for 'epoch', got zero",
                        trainerJson(s -> s.replaceFirst("\"epoch\"\\s*:\\s*0", "\"epoch\" : \"zero\""))),
                damage("a newer format", "has format 7, this library reads 1",
                        trainerJson(s -> s.replaceFirst("\"format\"\\s*:\\s*1", "\"format\" : 7"))));
    }

    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("writer.lock")) {
                    out.put(root.relativize(p).toString(), HexFormat.of().formatHex(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "checkpoint: {0}")
    @MethodSource("checkpoints")
    void aDamagedCheckpointIsRefusedNamingItsFileAndFitChangesNothing(String name, String expected, Damage damage)
            throws Exception {
        Path run = dir.resolve("run");
        Path c = run.resolve(checkpoint.getFileName());
        Files.createDirectories(c);
        try (Stream<Path> s = Files.list(checkpoint)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, c.resolve(p.getFileName()));
            }
        }
        damage.apply(c);
        var e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(c));
        assertTrue(e.getMessage().startsWith("checkpoint " + c + " is refused: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        Map<String, String> before = contents(run);
        var f = assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(
                Checkpointing.builder(run).everySteps(3).build(), -1, 24));
        assertTrue(f.getMessage().contains(e.getMessage()), f.getMessage());
        assertEquals(before, contents(run), "the refused run changed nothing in its directory");
    }
}
