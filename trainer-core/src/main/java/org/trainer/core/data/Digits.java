package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

import org.trainer.core.Tensor;

/**
 * The UCI optical-recognition handwritten digits (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0),
 * bundled as a resource: 1,797 8x8 images of the digits 0 to 9, each pixel a count 0..16 of the
 * "on" pixels in a 4x4 block of the original 32x32 bitmap. Small enough to train on in seconds,
 * real enough to show overfitting. Source and citation: {@code README-digits.txt} beside the data.
 */
public final class Digits {
    /** Number of samples. */
    public static final int SAMPLES = 1797;
    /** Features per sample: the 8x8 pixels, row-major. */
    public static final int FEATURES = 64;
    /** Number of classes (the digits 0 to 9). */
    public static final int CLASSES = 10;

    private static final String RESOURCE = "digits.csv.gz";
    private static final float MAX_PIXEL = 16f;

    private Digits() {
    }

    /**
     * All samples: features float32 [1797, 64] in [0, 1] (pixel / 16), labels int32 [1797] in 0..9,
     * in the order of the file.
     *
     * <p>The file holds only small non-negative integers, 65 to a line, so it is read by a parser
     * for exactly that rather than by {@link CsvReader}, which would give the same tensors (a test
     * checks it) but, on a fresh JVM, loads and runs several times more code first: this is the
     * quick start's first step.
     *
     * @return the dataset
     * @throws UncheckedIOException if the resource cannot be read or is not the expected table (a broken jar)
     */
    public static TensorDataset load() {
        float[] features = new float[SAMPLES * FEATURES];
        int[] labels = new int[SAMPLES];
        try (InputStream raw = Digits.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IOException("resource " + RESOURCE + " missing beside " + Digits.class.getName());
            }
            parse(new GZIPInputStream(raw, 1 << 16).readAllBytes(), features, labels);
        } catch (IOException e) {
            throw new UncheckedIOException("Digits.load: " + e.getMessage(), e);
        }
        return new TensorDataset(Tensor.fromArray(features, SAMPLES, FEATURES), Tensor.fromArray(labels, SAMPLES));
    }

    /**
     * Reads {@value #SAMPLES} lines of {@value #FEATURES} pixel counts (0..16) and a label (0..9),
     * separated by commas, each line ended by a newline; pixels are stored divided by 16.
     */
    static void parse(byte[] text, float[] features, int[] labels) throws IOException {
        int at = 0;
        for (int row = 0; row < SAMPLES; row++) {
            for (int col = 0; col <= FEATURES; col++) {
                int value = 0;
                int start = at;
                while (at < text.length && text[at] >= '0' && text[at] <= '9' && at - start < 3) {
                    value = value * 10 + text[at++] - '0';
                }
                byte end = at < text.length ? text[at] : 0;
                boolean last = col == FEATURES;
                if (at == start || end != (last ? '\n' : ',') || value > (last ? CLASSES - 1 : (int) MAX_PIXEL)) {
                    throw new IOException(RESOURCE + ": line " + (row + 1) + ", column " + (col + 1) + ": expected "
                            + (last ? "a label 0.." + (CLASSES - 1) + " and a newline" : "a pixel count 0..16 and a comma")
                            + ", got " + describe(text, start));
                }
                at++;
                if (last) {
                    labels[row] = value;
                } else {
                    features[row * FEATURES + col] = value / MAX_PIXEL;
                }
            }
        }
        if (at != text.length) {
            throw new IOException(RESOURCE + ": expected " + SAMPLES + " lines, got more");
        }
    }

    /** Up to 12 characters from {@code at}, or "the end of the file". */
    private static String describe(byte[] text, int at) {
        if (at >= text.length) {
            return "the end of the file";
        }
        return "'" + new String(text, at, Math.min(12, text.length - at), java.nio.charset.StandardCharsets.US_ASCII)
                .replace("\n", "\\n") + "...'";
    }
}
