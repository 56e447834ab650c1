package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.IdxFiles.idx;
import static org.trainer.core.data.IdxFiles.pattern;
import static org.trainer.core.data.IdxFiles.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

class FashionMnistTest {
    @TempDir
    Path tmp;

    /** A miniature copy: 3 training and 2 test images, training files gzipped, test files plain. */
    private Path miniature(String name, byte lastTestLabel) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        write(dir.resolve("train-images-idx3-ubyte.gz"), idx(new int[] {3, 28, 28}, pattern(3 * 784)), true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {3}, new byte[] {9, 0, 4}), true);
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(new int[] {2, 28, 28}, pattern(2 * 784)), false);
        write(dir.resolve("t10k-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {1, lastTestLabel}), false);
        return dir;
    }

    @Test
    void loadsImagesAsNchwInUnitRangeAndLabelsAsInt32() throws IOException {
        FashionMnist f = FashionMnist.load(miniature("ok", (byte) 2));
        assertArrayEquals(new int[] {3, 1, 28, 28}, f.train().features().shape());
        assertArrayEquals(new int[] {2, 1, 28, 28}, f.test().features().shape());
        assertEquals(DType.INT32, f.train().targets().dtype());
        assertArrayEquals(new int[] {9, 0, 4}, f.train().targets().toIntArray());
        assertArrayEquals(new int[] {1, 2}, f.test().targets().toIntArray());
        float[] x = f.train().features().toFloatArray();
        byte[] expected = pattern(3 * 784);
        for (int i = 0; i < x.length; i++) {
            assertEquals((expected[i] & 0xFF) / 255f, x[i], 1e-7);
        }
    }

    @Test
    void labelOutsideTheTenClassesIsRefused() throws IOException {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(miniature("bad", (byte) 10)));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte: label 10 at sample 1 is not a class"),
                e.getMessage());
    }

    @Test
    void locatePrefersArgumentThenEnvironmentThenDebian() throws IOException {
        Path arg = miniature("arg", (byte) 0);
        Path env = miniature("env", (byte) 0);
        Path debian = miniature("debian", (byte) 0);
        Map<String, String> withEnv = Map.of(FashionMnist.ENV, env.toString());
        assertEquals(arg, FashionMnist.locate(new String[] {arg.toString()}, withEnv, debian));
        assertEquals(env, FashionMnist.locate(new String[0], withEnv, debian));
        assertEquals(debian, FashionMnist.locate(null, Map.of(), debian));
    }

    @Test
    void aNamedDirectoryWithoutTheFilesFailsWithInstructions() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path debian = miniature("debian", (byte) 0);
        var e = assertThrows(IllegalStateException.class,
                () -> FashionMnist.locate(new String[0], Map.of(FashionMnist.ENV, empty.toString()), debian));
        assertTrue(e.getMessage().contains("the directory in FASHION_MNIST_DIR, " + empty), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte[.gz]"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        var missing = assertThrows(IllegalStateException.class,
                () -> FashionMnist.locate(new String[0], Map.of(), tmp.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("Debian's default location"), missing.getMessage());
    }

    @Test
    void loadsTheInstalledDataset() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "dataset-fashion-mnist not installed");
        FashionMnist f = FashionMnist.load(FashionMnist.locate(new String[0], Map.of(), FashionMnist.DEBIAN_DIR));
        assertArrayEquals(new int[] {60_000, 1, 28, 28}, f.train().features().shape());
        assertArrayEquals(new int[] {10_000, 1, 28, 28}, f.test().features().shape());
        // The published normalisation constants are the training set's mean and std.
        Tensor x = f.train().features();
        Normalize fitted = Normalize.fit(x, 0, 2, 3);
        assertEquals(0.2860, fitted.mean().item(), 5e-5);
        assertEquals(0.3530, fitted.std().item(), 5e-5);
    }
}
