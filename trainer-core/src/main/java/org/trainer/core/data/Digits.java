package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.trainer.core.GradMode;
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
     * @return the dataset
     * @throws UncheckedIOException if the resource cannot be read (a broken jar)
     */
    public static TensorDataset load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCE + " missing beside " + Digits.class.getName());
            }
            TensorDataset raw = CsvReader.classColumn(FEATURES).read(in, RESOURCE);
            try (GradMode off = Tensor.noGrad()) {
                return new TensorDataset(raw.features().div(MAX_PIXEL), raw.targets());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Digits.load: " + e.getMessage(), e);
        }
    }
}
