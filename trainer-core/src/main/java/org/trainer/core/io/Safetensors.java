package org.trainer.core.io;

import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Module;

/**
 * Reads and writes tensors in the safetensors layout, which PyTorch's {@code safetensors} package
 * reads and writes: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}},
 * padded with spaces), then the raw little-endian row-major data. Files are written to a temporary
 * name, forced to disk and renamed, so a crash never leaves a half-written file under the real name.
 */
public final class Safetensors {
    // Strict duplicate detection: a name given twice would otherwise keep the last silently.
    private static final JsonFactory JSON = new JsonFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String METADATA = "__metadata__";

    private Safetensors() {
    }

    /**
     * Writes a model's state (parameters and buffers) by dotted name.
     *
     * @param model the model
     * @param file the target file
     * @throws IOException if the file cannot be written
     */
    public static void save(Module model, Path file) throws IOException {
        save(model.stateDict(), Map.of(), file);
    }

    /**
     * Loads a model's state by dotted name, all or nothing: the whole file is read and checked
     * against the model (every parameter and buffer present, no other entry, shapes equal, dtypes
     * convertible; see {@link Module#loadStateDict}) before any value is written, so on refusal the
     * model is unchanged.
     *
     * @param model the model, modified
     * @param file the safetensors file
     * @throws IOException              when the file is not a valid safetensors file (naming the file and the place)
     * @throws IllegalArgumentException when the file does not fit the model (naming the file and the entry)
     */
    public static void load(Module model, Path file) throws IOException {
        Map<String, Tensor> state = read(file);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes tensors (float32, float64 or int32) and string metadata atomically. A batch-norm counter
     * ({@code num_batches_tracked}, or a name ending in {@code .num_batches_tracked}) is written as
     * I64, as PyTorch stores it; other int32 tensors as I32.
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        long offset = 0;
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        try (JsonGenerator g = JSON.createGenerator(header)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    throw new IllegalArgumentException("safetensors: '" + METADATA + "' is reserved, not a tensor name");
                }
                Tensor t = e.getValue();
                boolean wide = asInt64(e.getKey(), t);
                long bytes = (long) t.numel() * (wide ? 8 : t.dtype().bytes());
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("dtype", wide ? "I64" : code(t.dtype()));
                g.writeArrayFieldStart("shape");
                for (int d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + bytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += bytes;
                order.add(e);
            }
            g.writeEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned.
        int pad = (8 - header.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            header.write(' ');
        }
        AtomicFile.write(file, out -> {
            WritableByteChannel ch = Channels.newChannel(out);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.size());
            writeFully(ch, len.flip());
            writeFully(ch, ByteBuffer.wrap(header.toByteArray()));
            for (Map.Entry<String, Tensor> e : order) {
                writeFully(ch, asInt64(e.getKey(), e.getValue()) ? encodeInt64(e.getValue()) : encode(e.getValue()));
            }
        });
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static ByteBuffer encode(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT32 -> b.asIntBuffer().put(t.toIntArray());
        }
        return b;
    }

    /** PyTorch keeps batch norm's counter in int64; so does the file, whatever dtype holds it here. */
    private static boolean asInt64(String name, Tensor t) {
        return t.dtype() == DType.INT32 && (name.equals("num_batches_tracked") || name.endsWith(".num_batches_tracked"));
    }

    private static ByteBuffer encodeInt64(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : t.toIntArray()) {
            b.putLong(v);
        }
        return b.flip();
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
        };
    }

    /**
     * Reads every tensor of a file, in header order: {@link #read(Path, Predicate)} with every name.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, name -> true);
    }

    /**
     * Reads the tensors of a file whose names {@code select} accepts, in header order; the whole
     * header is checked all the same. Each tensor's bytes are memory-mapped and copied into the
     * tensor, so the file may be larger than 2 GB and larger than the heap (only the selected tensors
     * take memory; one tensor holds fewer than 2^31 bytes). Dtypes: F32, F64 and I32 as they are; F16
     * and BF16 widened to float32 (exactly: every half value is a float value); I64 as int32 when
     * every value fits. Nothing is modified.
     *
     * <p>Refused with an {@link IOException} that names the file, the place (byte offset or entry)
     * and what was expected: a file shorter than 8 bytes; a header length beyond the file; a header
     * that is not one UTF-8 JSON object (bad syntax, bad UTF-8, a duplicate name, content after the
     * object other than padding spaces); an entry without a string dtype, an integer shape and two
     * integer data_offsets; an unknown dtype; offsets outside the data, reversed, overlapping or
     * leaving a hole; a shape whose size does not match its offsets.
     *
     * @param file the safetensors file
     * @return the tensors by name
     * @throws IOException if the file cannot be read or is malformed
     */
    public static Map<String, Tensor> read(Path file, Predicate<String> select) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, file.toString(), select);
        }
    }

    private static Map<String, Tensor> read(FileChannel ch, String name, Predicate<String> select) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IOException(name + ": not a safetensors file: " + size + " bytes, expected at least 8");
        }
        long n = readAt(ch, 0, 8).getLong(0);
        long maxHeader = Math.min(size - 8, Integer.MAX_VALUE - 8);
        if (n < 2 || n > maxHeader) {
            throw new IOException(name + ": header length " + n + " (bytes 0-7) does not fit the file of " + size
                    + " bytes: expected 2 to " + Math.max(2, maxHeader) + " (a truncated or not a safetensors file)");
        }
        byte[] header = readAt(ch, 8, (int) n).array();
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, long[]> spans = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(header)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, name, "the header (byte 8) is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.getCurrentName();
                expect(p.nextToken() == JsonToken.START_OBJECT, name, "entry '" + key + "' is not an object");
                if (key.equals(METADATA)) {
                    p.skipChildren();
                    continue;
                }
                String dtype = null;
                List<Long> shape = null;
                List<Long> offsets = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.getCurrentName();
                    p.nextToken();
                    switch (field) {
                        case "dtype" -> {
                            expect(p.currentToken() == JsonToken.VALUE_STRING, name, "entry '" + key
                                    + "' has dtype " + p.currentToken() + ", expected a string such as \"F32\"");
                            dtype = p.getText();
                        }
                        case "shape" -> shape = longs(p, name, key, "shape");
                        case "data_offsets" -> offsets = longs(p, name, key, "data_offsets");
                        default -> p.skipChildren();
                    }
                }
                expect(dtype != null && shape != null && offsets != null && offsets.size() == 2, name,
                        "entry '" + key + "' needs dtype, shape and two data_offsets, got dtype " + dtype + ", shape "
                                + shape + ", data_offsets " + offsets);
                long begin = offsets.get(0);
                long end = offsets.get(1);
                expect(begin >= 0 && begin <= end && end <= dataSize, name, "entry '" + key + "' has data_offsets ["
                        + begin + ", " + end + "], expected 0 <= begin <= end <= " + dataSize
                        + " (the data's size in bytes)");
                spans.put(key, new long[] {begin, end});
                Layout layout = layout(dtype, shape, end - begin, name, key);
                if (select.test(key)) {
                    out.put(key, decode(ch, dataStart + begin, layout, name, key));
                }
            }
            expect(p.currentToken() == JsonToken.END_OBJECT, name, "the header has " + p.currentToken()
                    + " at byte " + (8 + p.getCurrentLocation().getByteOffset()) + ", expected a name or '}'");
            JsonToken after = p.nextToken();
            expect(after == null, name, "the header has " + after + " after its object, at byte "
                    + (8 + p.getCurrentLocation().getByteOffset()) + "; expected only padding spaces");
        } catch (JsonProcessingException e) {
            throw new IOException(name + ": the header (bytes 8 to " + dataStart + ") is not valid JSON at byte "
                    + (8 + e.getLocation().getByteOffset()) + ": " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            throw new IOException(name + ": the header (bytes 8 to " + dataStart + ") is not valid UTF-8: "
                    + e.getMessage(), e);
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(spans.entrySet());
        sorted.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
        long at = 0;
        for (Map.Entry<String, long[]> s : sorted) {
            long[] span = s.getValue();
            expect(span[0] == at, name, "entry '" + s.getKey() + "' has data_offsets [" + span[0] + ", " + span[1]
                    + "], expected its data to begin at byte " + at + " (" + (span[0] < at ? "it overlaps the entry before"
                    : "a hole before it") + ")");
            at = span[1];
        }
        expect(at == dataSize, name, "the header covers " + at + " data bytes, the file holds " + dataSize
                + " (expected equal: a truncated or extended file)");
        return out;
    }

    /** {@code bytes} bytes of the file from {@code position}, little-endian. */
    private static ByteBuffer readAt(FileChannel ch, long position, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + b.position()));
            }
        }
        return b;
    }

    private static List<Long> longs(JsonParser p, String file, String key, String field) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY, file, "entry '" + key + "' has " + field + " "
                + p.currentToken() + ", expected an array of integers");
        List<Long> v = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expect(p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER,
                    file, "entry '" + key + "' has " + p.currentToken() + " in " + field
                            + ", expected integers of 64 bits");
            v.add(p.getLongValue());
        }
        return v;
    }

    /** An entry's checked dtype, shape and element count. */
    private record Layout(String dtype, int[] shape, int count, int width) {
    }

    private static Layout layout(String dtype, List<Long> shape, long bytes, String file, String key)
            throws IOException {
        int[] s = new int[shape.size()];
        long count = 1;
        for (int i = 0; i < s.length; i++) {
            expect(shape.get(i) >= 0 && shape.get(i) <= Integer.MAX_VALUE, file, "entry '" + key + "' has shape " + shape
                    + ", expected sizes from 0 to " + Integer.MAX_VALUE);
            s[i] = (int) (long) shape.get(i);
            try {
                count = Math.multiplyExact(count, (long) s[i]);
            } catch (ArithmeticException e) {
                throw new IOException(file + ": entry '" + key + "' has shape " + shape + ", more elements than 64 bits count");
            }
        }
        int width = switch (dtype) {
            case "F16", "BF16" -> 2;
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            default -> throw new IOException(file + ": entry '" + key + "' has dtype " + dtype
                    + "; supported: F16, BF16, F32, F64, I32, I64");
        };
        expect(count <= Integer.MAX_VALUE / width && count * width == bytes, file, "entry '" + key + "' of shape "
                + shape + " and dtype " + dtype + " needs " + count * width + " bytes, its offsets span " + bytes);
        return new Layout(dtype, s, (int) count, width);
    }

    private static Tensor decode(FileChannel ch, long at, Layout l, String file, String key) throws IOException {
        int n = l.count();
        int[] s = l.shape();
        ByteBuffer b = n == 0 ? ByteBuffer.allocate(0)
                : ch.map(FileChannel.MapMode.READ_ONLY, at, (long) n * l.width());
        b.order(ByteOrder.LITTLE_ENDIAN);
        switch (l.dtype()) {
            case "F32" -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                return Tensor.fromArray(v, s);
            }
            case "F16", "BF16" -> {
                float[] v = new float[n];
                boolean half = l.dtype().equals("F16");
                for (int i = 0; i < n; i++) {
                    short x = b.getShort(2 * i);
                    v[i] = half ? halfToFloat(x) : Float.intBitsToFloat((x & 0xffff) << 16);
                }
                return Tensor.fromArray(v, s);
            }
            case "F64" -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                return Tensor.fromArray(v, s);
            }
            case "I32" -> {
                int[] v = new int[n];
                b.asIntBuffer().get(v);
                return Tensor.fromArray(v, s);
            }
            default -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    long x = b.getLong(i * 8);
                    expect(x == (int) x, file, "entry '" + key + "' holds " + x + ", beyond the int32 range");
                    v[i] = (int) x;
                }
                return Tensor.fromArray(v, s);
            }
        }
    }

    /** IEEE 754 binary16 to float32, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float m = mantissa * 0x1p-24f; // subnormal (or zero): mantissa x 2^-24
            return sign == 0 ? m : -m;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void expect(boolean ok, String file, String what) throws IOException {
        if (!ok) {
            throw new IOException(file + ": " + what);
        }
    }
}
