package org.trainer.core.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * The on-disk side of checkpoints: every piece comes back bitwise, a damaged checkpoint is refused
 * with the file and the reason named and the store falls back to the previous one, only the newest
 * k are kept, and a write that fails or is cut short leaves nothing under a checkpoint's name.
 */
class CheckpointStoreTest {

    static Checkpoint sample(int epoch, int batch, float scale) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("0.weight", Tensor.fromArray(new float[] {scale, -0f, Float.MIN_VALUE, 3.25f, 1e-30f, 7f}, 2, 3));
        model.put("0.bias", Tensor.fromArray(new float[] {scale * 0.5f, Float.NaN}, 2));
        model.put("1.running_mean", Tensor.fromArray(new double[] {Math.PI, -Double.MAX_VALUE}, 2));
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        optimizer.put("state.0.exp_avg", Tensor.fromArray(new float[] {1e-8f, 2, 3, 4, 5, 6}, 2, 3));
        optimizer.put("state.0.step", Tensor.full(DType.FLOAT64, 17));
        optimizer.put("param_groups.0.lr", Tensor.full(DType.FLOAT64, 0.1 * scale));
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("history.epoch.loss", Tensor.fromArray(new double[] {2.302585092994046, Double.NaN}, 2));
        state.put("indices", Tensor.fromArray(new int[] {3, -1, Integer.MAX_VALUE}, 3));
        state.put("epoch.lr", StateEntries.scalar(Double.POSITIVE_INFINITY));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("dropout", Map.of("2", Map.of("seed", Long.MIN_VALUE, "calls", 12345678901L)));
        info.put("stop_requested", true);
        info.put("metadata", Map.of("run", "digits \"mlp\" \u00e9"));
        return new Checkpoint(epoch, batch, 1000L * epoch + batch, 32L * (1000L * epoch + batch), model, optimizer,
                state, info);
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            assertEquals(e.dtype(), a.dtype(), k);
            assertArrayEquals(e.shape(), a.shape(), k);
            switch (e.dtype()) {
                case FLOAT32 -> {
                    float[] x = e.toFloatArray();
                    float[] y = a.toFloatArray();
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k + "[" + i + "]");
                    }
                }
                case FLOAT64 -> {
                    double[] x = e.toDoubleArray();
                    double[] y = a.toDoubleArray();
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), k + "[" + i + "]");
                    }
                }
                case INT32 -> assertArrayEquals(e.toIntArray(), a.toIntArray(), k);
            }
        }
    }

    @Test
    void everyPieceComesBackBitwise(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("ckpt"));
        Checkpoint c = sample(3, 12, 1.5f);
        Path written = store.write(c);
        assertEquals("epoch-00003-batch-0000012", written.getFileName().toString());
        Checkpoint r = CheckpointStore.read(written);
        assertEquals(3, r.epoch());
        assertEquals(12, r.batch());
        assertEquals(3012, r.iteration());
        assertEquals(32 * 3012, r.samplesSeen());
        assertEquals(written, r.path().orElseThrow());
        assertEquals(c.libraryVersion(), r.libraryVersion());
        assertSameTensors(c.model(), r.model());
        assertSameTensors(c.optimizer(), r.optimizer());
        assertSameTensors(c.state(), r.state());
        assertEquals(Map.of("2", Map.of("seed", Long.MIN_VALUE, "calls", 12345678901L)), r.info().get("dropout"));
        assertEquals(Boolean.TRUE, r.info().get("stop_requested"));
        assertEquals(Map.of("run", "digits \"mlp\" \u00e9"), r.info().get("metadata"));
        // The files inside are plain: the weights load as a safetensors file, the checksums as sha256sum's.
        assertSameTensors(c.model(), org.trainer.core.io.Safetensors.read(written.resolve("model.safetensors")));
        String sums = Files.readString(written.resolve("checksums.sha256"));
        assertTrue(sums.contains(CheckpointStore.sha256(written.resolve("trainer.json")) + "  trainer.json\n"), sums);
        assertEquals(List.of(written), store.list());
        assertEquals(written, store.latest().orElseThrow().path().orElseThrow());
    }

    @Test
    void aTruncatedOrAlteredCheckpointIsRefusedAndThePreviousGoodOneIsUsed(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Path first = store.write(sample(0, 5, 1));
        Path second = store.write(sample(0, 10, 2));
        Path third = store.write(sample(1, 0, 3));

        // Truncated: the newest loses the end of its weights.
        Path weights = third.resolve("model.safetensors");
        long size = Files.size(weights);
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(third));
        assertTrue(e.getMessage().startsWith("checkpoint " + third + " is refused: model.safetensors (" + (size - 5)
                + " bytes) has SHA-256 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("the file is truncated or altered"), e.getMessage());
        assertEquals(third, e.checkpoint());
        Checkpoint fallback = store.latest().orElseThrow();
        assertEquals(second, fallback.path().orElseThrow());
        assertSameTensors(sample(0, 10, 2).model(), fallback.model());

        // Altered: one flipped bit in the next one's optimizer state.
        Path opt = second.resolve("optimizer.safetensors");
        byte[] bytes = Files.readAllBytes(opt);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(opt, bytes);
        e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(second));
        assertTrue(e.getMessage().contains("optimizer.safetensors"), e.getMessage());
        assertEquals(first, store.latest().orElseThrow().path().orElseThrow());

        // A missing checksum list (an incomplete checkpoint) and a missing file are refused too.
        Files.delete(first.resolve("checksums.sha256"));
        e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(first));
        assertEquals("checkpoint " + first + " is refused: it has no checksums.sha256 (an incomplete checkpoint)",
                e.getMessage());
        assertTrue(store.latest().isEmpty());

        Path fresh = store.write(sample(2, 0, 4));
        Files.delete(fresh.resolve("state.safetensors"));
        e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(fresh));
        assertEquals("checkpoint " + fresh + " is refused: state.safetensors is missing", e.getMessage());
    }

    @Test
    void aCheckpointWhoseChecksumsMatchButWhoseContentsDoNotParseIsRefused(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Path p = store.write(sample(0, 1, 1));
        Files.writeString(p.resolve("trainer.json"), "{\"format\": 1, \"epoch\": 0.5}");
        String sums = Files.readString(p.resolve("checksums.sha256"));
        String line = sums.lines().filter(l -> l.endsWith("trainer.json")).findFirst().orElseThrow();
        Files.writeString(p.resolve("checksums.sha256"),
                sums.replace(line, CheckpointStore.sha256(p.resolve("trainer.json")) + "  trainer.json"));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(p));
        assertTrue(e.getMessage().contains("trainer.json: 'epoch' holds VALUE_NUMBER_FLOAT"), e.getMessage());
    }

    @Test
    void onlyTheNewestKAreKept(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        for (int b = 1; b <= 5; b++) {
            store.write(sample(b / 3, b, b));
        }
        store.keepLast(2);
        assertEquals(List.of(dir.resolve("epoch-00001-batch-0000004"), dir.resolve("epoch-00001-batch-0000005")),
                store.list());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "nothing but the two checkpoints is left");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> store.keepLast(0));
        assertEquals("keepLast: k must be >= 1, got 0", e.getMessage());
    }

    @Test
    void positionsSortNumericallyAndASamePositionIsReplaced(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(sample(10, 0, 1));
        store.write(sample(9, 100, 2));
        store.write(sample(9, 100, 3));
        assertEquals(List.of(dir.resolve("epoch-00009-batch-0000100"), dir.resolve("epoch-00010-batch-0000000")),
                store.list());
        assertSameTensors(sample(9, 100, 3).model(), CheckpointStore.read(store.list().get(0)).model());
    }

    @Test
    void aFailedWriteLeavesNothingUnderTheFinalName(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint good = sample(0, 3, 1);
        Map<String, Tensor> badState = new LinkedHashMap<>(good.state());
        badState.put("__metadata__", Tensor.zeros(2)); // refused by the safetensors writer, after the weights were written
        Checkpoint bad = new Checkpoint(0, 4, 4, 128, good.model(), good.optimizer(), badState, good.info());
        assertThrows(IllegalArgumentException.class, () -> store.write(bad));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "neither the checkpoint nor its temporary directory is left");
        }
    }

    @Test
    void temporariesOfAnInterruptedWriteAreIgnoredAndRemoved(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Path good = store.write(sample(0, 2, 1));
        // What a write killed before its rename leaves: a temporary directory with some of the files.
        Path partial = Files.createDirectory(dir.resolve(".tmp-epoch-00000-batch-0000004-123"));
        Files.copy(good.resolve("model.safetensors"), partial.resolve("model.safetensors"));
        Files.writeString(partial.resolve("optimizer.safetensors.tmp"), "half", StandardCharsets.UTF_8);
        assertEquals(List.of(good), store.list());
        assertEquals(good, store.latest().orElseThrow().path().orElseThrow());
        assertEquals(1, store.removeTemporaries());
        assertFalse(Files.exists(partial));
        assertEquals(List.of(good), store.list());
    }

    @Test
    void settingsAreValidated(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpointing.builder(dir).everySteps(-1));
        assertEquals("Checkpointing: everySteps must be >= 0 (0 = off), got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpointing.builder(dir).keepLast(0));
        assertEquals("Checkpointing: keepLast must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpointing.builder(dir).everyEpoch(false).build());
        assertTrue(e.getMessage().startsWith("Checkpointing: everySteps is 0 and everyEpoch is false"), e.getMessage());
        Checkpointing c = Checkpointing.builder(dir).everySteps(7).keepLast(2).metadata("run", "a").build();
        assertEquals(7, c.everySteps());
        assertTrue(c.everyEpoch());
        assertEquals(2, c.keepLast());
        assertEquals(Map.of("run", "a"), c.metadata());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(0, -1, 0, 0, Map.of(), Map.of(), Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("Checkpoint: epoch, batch, iteration and samplesSeen must be >= 0"));
    }
}
