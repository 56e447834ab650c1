package org.trainer.core.io;

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
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeAndEdgeShape() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.randn(1, 3, 4));
        t.put("d", Tensor.random(DType.FLOAT64, true, 0, 1, 2, 5));
        t.put("i", Tensor.fromArray(new int[] {7, -1, 3}, 3));
        t.put("empty", Tensor.zeros(0, 4));
        t.put("scalar", Tensor.scalar(2.5));
        Path f = dir.resolve("m.safetensors");
        Safetensors.save(t, Map.of("format", "pt"), f);
        Map<String, Tensor> back = Safetensors.read(f);
        assertEquals(t.keySet(), back.keySet());
        for (String k : t.keySet()) {
            assertArrayEquals(t.get(k).shape(), back.get(k).shape(), k);
            assertEquals(t.get(k).dtype(), back.get(k).dtype(), k);
            assertArrayEquals(t.get(k).toDoubleArray(), back.get(k).toDoubleArray(), k);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
        // The data starts 8-byte aligned after a JSON header that begins with '{'.
        byte[] raw = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        assertEquals('{', raw[8]);
    }

    @Test
    void modelsSaveAndLoadByName() throws IOException {
        Sequential a = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Path f = dir.resolve("model.safetensors");
        Safetensors.save(a, f);
        Sequential b = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Safetensors.load(b, f);
        Tensor x = Tensor.randn(3, 5, 4);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }

    /** A file laid out by hand from the format's description, with an I64 tensor as PyTorch writes indices. */
    @Test
    void readsAFileWrittenToTheSpecification() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"I64\",\"shape\":[2],"
                + "\"data_offsets\":[8,24]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(1.5f).putFloat(-2f).putLong(3).putLong(-4);
        Path f = dir.resolve("spec.safetensors");
        Files.write(f, b.array());
        Map<String, Tensor> t = Safetensors.read(f);
        assertArrayEquals(new float[] {1.5f, -2f}, t.get("a").toFloatArray());
        assertArrayEquals(new int[] {3, -4}, t.get("b").toIntArray());
    }

    @Test
    void corruptFilesAreRefusedWithTheReason() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Safetensors.save(Map.of("w", Tensor.ones(4)), Map.of(), f);
        byte[] raw = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(raw, raw.length - 3));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0);
        Files.write(f, b.array());
        e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("header length 1000"), e.getMessage());
    }
}
