package org.trainer.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheContentWholeAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/a.txt");
        AtomicFile.write(f, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(f));
        byte[] big = new byte[300_000]; // larger than the stream's buffer
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        AtomicFile.write(f, out -> {
            out.write(big, 0, 1000);
            out.write(big, 1000, big.length - 1000);
            out.close(); // as Jackson's writeValue does: only flushes
        });
        assertArrayEquals(big, Files.readAllBytes(f));
        assertEquals(List.of("a.txt"), names(f.getParent()));
    }

    @Test
    void aFailingWriterLeavesTheOldContentAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFile.write(f, "old".getBytes(StandardCharsets.UTF_8));
        IOException boom = new IOException("disk full");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write(new byte[100_000]); // part of the new content reaches the temporary file
            throw boom;
        }));
        assertSame(boom, e);
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("a.txt"), names(dir));
        assertThrows(RuntimeException.class, () -> AtomicFile.write(f, out -> {
            throw new IllegalStateException("bug");
        }));
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("a.txt"), names(dir));
    }

    @Test
    void badArgumentsFailClearly(@TempDir Path dir) {
        assertEquals("AtomicFile.write: bytes is null for " + dir.resolve("x"), assertThrows(
                IllegalArgumentException.class, () -> AtomicFile.write(dir.resolve("x"), (byte[]) null)).getMessage());
    }

    @Test
    void theTemporaryNameOfEveryWriteIsRecognisedAsOurs(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 200; i++) {
            AtomicFile.write(dir.resolve("model.safetensors"), out -> {
                List<String> during = names(dir).stream().filter(n -> !n.equals("model.safetensors")).toList();
                assertEquals(1, during.size(), during.toString());
                assertTrue(AtomicFile.isTemporary(during.get(0)), during.get(0));
                assertTrue(during.get(0).startsWith(".model.safetensors."), during.get(0));
            });
        }
        assertEquals(List.of("model.safetensors"), names(dir));
    }

    @Test
    void onlyOurTemporaryNamesMatch() {
        assertTrue(AtomicFile.isTemporary(".model.safetensors.0k3x9a7b2c1d4.tmp"));
        assertTrue(AtomicFile.isTemporary(".metrics.json.0000000000001.tmp"));
        for (String other : List.of("model.safetensors.0k3x9a7b2c1d4.tmp", ".model.safetensors.tmp",
                ".notes.backup.tmp", ".model.safetensors.0K3X9A7B2C1D4.tmp", ".model.safetensors.0k3x9a7b2c1d.tmp",
                ".model.safetensors.0k3x9a7b2c1d4.tmp.bak", "..0k3x9a7b2c1d4.tmp", ".0k3x9a7b2c1d4.tmp")) {
            assertFalse(AtomicFile.isTemporary(other), other);
        }
    }

    /**
     * Before AtomicFile's own names, temporaries were made by {@code Files.createTempFile}: with the
     * prefix {@code "." + name} (JSON writes, the first AtomicFile) or {@code name} (safetensors
     * writes). Names made that way, by the JDK itself, are recognised and removed; look-alikes with
     * too few digits or another ending are not.
     */
    @Test
    void theTemporariesOfEarlierVersionsAreRecognisedAndRemoved(@TempDir Path dir) throws IOException {
        List<String> earlier = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            for (String prefix : List.of(".metrics.json", ".history.json", ".model.safetensors", "model.safetensors",
                    "optimizer.safetensors")) {
                earlier.add(Files.createTempFile(dir, prefix, ".tmp").getFileName().toString());
            }
        }
        for (String name : earlier) {
            assertTrue(AtomicFile.isTemporary(name), name);
        }
        List<String> others = List.of("model.safetensors.tmp", "metrics.json8074128334410675225.tmp",
                ".metrics.json12345678.tmp", "model.safetensors123456789.tmp", ".metrics.json8074128334410675225.tmp.1",
                "model.safetensors8074128334410675225.bak", "notes2026120701.tmp");
        for (String other : others) {
            assertFalse(AtomicFile.isTemporary(other), other);
            Files.writeString(dir.resolve(other), "a person's file");
        }
        assertEquals(earlier.size(), AtomicFile.removeLeftovers(dir).size());
        assertEquals(others.stream().sorted().toList(), names(dir));
    }

    @Test
    void removeLeftoversDeletesOurTemporariesOnly(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(".model.safetensors.0k3x9a7b2c1d4.tmp"), "half");
        Files.writeString(dir.resolve(".optimizer.safetensors.zzzzzzzzzzzzz.tmp"), "half");
        Files.writeString(dir.resolve(".model.safetensors.tmp"), "user");
        Files.writeString(dir.resolve("model.safetensors"), "whole");
        Files.createDirectory(dir.resolve(".sub.0000000000000.tmp"));
        assertEquals(List.of(dir.resolve(".model.safetensors.0k3x9a7b2c1d4.tmp"),
                dir.resolve(".optimizer.safetensors.zzzzzzzzzzzzz.tmp")), AtomicFile.removeLeftovers(dir));
        assertEquals(List.of(".model.safetensors.tmp", ".sub.0000000000000.tmp", "model.safetensors"), names(dir));
        assertEquals(List.of(), AtomicFile.removeLeftovers(dir.resolve("absent")));
    }
}
