package org.trainer.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.BatchNorm1d;

/**
 * Safetensors dtypes as PyTorch writes them (fixtures from {@code reference/dtypes/generate_dtypes.py},
 * PyTorch 1.13): F16 and BF16 widened to float32 as {@code tensor.float()} does, batch norm's int64
 * counter read and written as I64, and a file past 2 GB read by offsets beyond the int range.
 */
class SafetensorsDtypesTest {
    @TempDir
    Path dir;

    private static Path fixture() throws IOException {
        Path f = Files.createTempFile("dtypes", ".safetensors");
        try (InputStream in = SafetensorsDtypesTest.class.getResourceAsStream("/reference/dtypes/dtypes.safetensors")) {
            Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        f.toFile().deleteOnExit();
        return f;
    }

    private static JsonNode expected() throws IOException {
        try (InputStream in = SafetensorsDtypesTest.class.getResourceAsStream("/reference/dtypes/dtypes.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void halfAndBrainFloatEntriesWidenToFloat32BitForBitAsPyTorchDoes() throws IOException {
        Map<String, Tensor> t = Safetensors.read(fixture());
        JsonNode e = expected();
        for (String name : new String[] {"half", "brain"}) {
            Tensor v = t.get(name);
            assertEquals(DType.FLOAT32, v.dtype(), name);
            int[] shape = new int[e.get(name).get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get(name).get("shape").get(i).asInt();
            }
            assertArrayEquals(shape, v.shape(), name);
            float[] got = v.toFloatArray();
            JsonNode bits = e.get(name).get("float32_bits");
            assertEquals(bits.size(), got.length, name);
            for (int i = 0; i < got.length; i++) {
                assertEquals(bits.get(i).asInt(), Float.floatToRawIntBits(got[i]), name + "[" + i + "] = " + got[i]);
            }
        }
    }

    @Test
    void everyHalfBitPatternWidensExactly() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = Safetensors.halfToFloat((short) h);
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exponent == 0x1f) {
                assertTrue(mantissa == 0 ? Float.isInfinite(f) && Math.signum(f) == sign : Float.isNaN(f), "0x"
                        + Integer.toHexString(h));
            } else {
                double expected = sign * (exponent == 0 ? mantissa * 0x1p-24 : (1 + mantissa / 1024.0)
                        * Math.pow(2, exponent - 15));
                assertEquals(expected, f, 0.0, "0x" + Integer.toHexString(h));
                assertEquals(sign < 0, Float.floatToRawIntBits(f) < 0, "the sign of 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void pyTorchsBatchNormLoadsAndItsCounterIsWrittenAsI64LikePyTorchs() throws IOException {
        Path f = fixture();
        Map<String, Tensor> bn = Safetensors.read(f, name -> name.startsWith("bn.")).entrySet().stream()
                .collect(Collectors.toMap(x -> x.getKey().substring(3), Map.Entry::getValue));
        BatchNorm1d model = new BatchNorm1d(3);
        model.loadStateDict(bn, true);
        int tracked = expected().get("num_batches_tracked").asInt();
        assertEquals(tracked, model.stateDict().get("num_batches_tracked").toIntArray()[0]);

        Path ours = dir.resolve("bn.safetensors");
        Safetensors.save(model, ours);
        JsonNode header = header(ours);
        assertEquals("I64", header.get("num_batches_tracked").get("dtype").asText());
        assertEquals("F32", header.get("running_mean").get("dtype").asText());
        assertArrayEquals(data(f, "bn.num_batches_tracked"), data(ours, "num_batches_tracked"),
                "the counter's 8 bytes as PyTorch wrote them");
        assertEquals(tracked, Safetensors.read(ours).get("num_batches_tracked").toIntArray()[0]);
    }

    /** A sparse file of about 2.1 GB whose last entry lies beyond byte 2^31; only that entry is read. */
    @Test
    void readsEntriesPastTwoGigabytes() throws IOException {
        int big = Integer.MAX_VALUE / 4; // the most float32 elements one entry may hold
        long padBytes = 4L * big;
        String json = "{\"pad\":{\"dtype\":\"F32\",\"shape\":[" + big + "],\"data_offsets\":[0," + padBytes + "]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + padBytes + "," + (padBytes + 16) + "]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        long wAt = 8 + header.length + padBytes;
        assertTrue(wAt > Integer.MAX_VALUE);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length), 0);
            ch.write(ByteBuffer.wrap(header), 8);
            ByteBuffer w = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            w.asFloatBuffer().put(new float[] {1.5f, -2f, 3.25f, 4e-3f});
            ch.write(w, wAt);
        }
        Map<String, Tensor> t = Safetensors.read(f, "w"::equals);
        assertEquals(java.util.Set.of("w"), t.keySet());
        assertArrayEquals(new int[] {2, 2}, t.get("w").shape());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 4e-3f}, t.get("w").toFloatArray());
    }

    private static JsonNode header(Path f) throws IOException {
        byte[] raw = Files.readAllBytes(f);
        int n = (int) ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new ObjectMapper().readTree(new String(raw, 8, n, StandardCharsets.UTF_8));
    }

    private static byte[] data(Path f, String name) throws IOException {
        byte[] raw = Files.readAllBytes(f);
        int n = (int) ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode offsets = header(f).get(name).get("data_offsets");
        return java.util.Arrays.copyOfRange(raw, 8 + n + offsets.get(0).asInt(), 8 + n + offsets.get(1).asInt());
    }
}
