package org.trainer.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Zalando's Fashion-MNIST: 28x28 grey images of clothing in 10 classes, 60,000 for training and
 * 10,000 for testing, read from the four IDX files of the original distribution (gzipped or not).
 *
 * <p>Images are float32 [N, 1, 28, 28] in [0, 1] (byte / 255); labels are int32 [N] in 0..9, named
 * by {@link #CLASSES}. {@link #NORMALIZE} standardises with the training set's mean and std.
 *
 * @param train the 60,000 training samples
 * @param test  the 10,000 test samples
 */
public record FashionMnist(TensorDataset train, TensorDataset test) {
    /** The environment variable consulted by {@link #locate(String[])}. */
    public static final String ENV = "FASHION_MNIST_DIR";
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The file names, without ".gz"; either form is read. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    /** Class names, indexed by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Mean 0.2860 and std 0.3530 of the training pixels in [0, 1]. */
    public static final Normalize NORMALIZE = new Normalize(0.2860, 0.3530);

    private static final int SIDE = 28;

    /**
     * Reads the four files from {@code dir}.
     *
     * @param dir the directory of the files
     * @return the training and test sets
     * @throws IOException if a file is missing or malformed, or images and labels disagree
     */
    public static FashionMnist load(Path dir) throws IOException {
        return new FashionMnist(split(dir, FILES.get(0), FILES.get(1)), split(dir, FILES.get(2), FILES.get(3)));
    }

    /**
     * Reads the directory that {@link #locate(String[])} finds.
     *
     * @param args a program's arguments
     * @return the training and test sets
     * @throws IOException if a file is missing or malformed
     */
    public static FashionMnist load(String[] args) throws IOException {
        return load(locate(args));
    }

    /**
     * The directory holding the four files, from (1) {@code args[0]} if given, else (2) the
     * environment variable {@value #ENV} if set, else (3) {@link #DEBIAN_DIR}. A directory named
     * in (1) or (2) that lacks a file is an error, not a reason to look further: a typo should not
     * silently pick other data.
     *
     * @param args a program's arguments
     * @return the directory
     * @throws IllegalStateException naming the directory, the missing files and how to get them
     */
    public static Path locate(String[] args) {
        return locate(args, System.getenv(), DEBIAN_DIR);
    }

    static Path locate(String[] args, Map<String, String> env, Path debianDir) {
        if (args != null && args.length > 0 && args[0] != null && !args[0].isBlank()) {
            return requireFiles(Path.of(args[0]), "the directory given as argument");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireFiles(Path.of(fromEnv), "the directory in " + ENV);
        }
        return requireFiles(debianDir, "Debian's default location (no argument given, " + ENV + " not set)");
    }

    private static Path requireFiles(Path dir, String what) {
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (find(dir, name) == null) {
                missing.add(name + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Fashion-MNIST not found in " + what + ", " + dir + ": missing "
                    + missing + ". Install it with 'apt-get install dataset-fashion-mnist' (files in " + DEBIAN_DIR
                    + "), or download the four files from https://github.com/zalandoresearch/fashion-mnist and pass"
                    + " their directory as the first argument or in " + ENV);
        }
        return dir;
    }

    private static Path find(Path dir, String name) {
        for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static TensorDataset split(Path dir, String imagesName, String labelsName) throws IOException {
        Path imagesFile = find(dir, imagesName);
        Path labelsFile = find(dir, labelsName);
        if (imagesFile == null || labelsFile == null) {
            throw new IOException(dir + ": missing " + (imagesFile == null ? imagesName : labelsName) + "[.gz]");
        }
        Tensor images = IdxReader.readImages(imagesFile, true);
        Tensor labels = IdxReader.readLabels(labelsFile);
        int[] s = images.shape();
        if (s.length != 3 || s[1] != SIDE || s[2] != SIDE) {
            throw new IOException(imagesFile + ": images have shape " + Shapes.str(s) + ", expected [N, 28, 28]");
        }
        if (labels.rank() != 1 || labels.size(0) != s[0]) {
            throw new IOException(labelsFile + ": labels have shape " + Shapes.str(labels.shape()) + ", expected ["
                    + s[0] + "] to match " + imagesFile.getFileName());
        }
        int[] y = labels.toIntArray();
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= CLASSES.size()) {
                throw new IOException(labelsFile + ": label " + y[i] + " at sample " + i + " is not a class (expected 0 to "
                        + (CLASSES.size() - 1) + ")");
            }
        }
        return new TensorDataset(images.reshape(s[0], 1, SIDE, SIDE), labels);
    }

    @Override
    public String toString() {
        return "FashionMnist(train " + train.size() + ", test " + test.size() + ", classes " + CLASSES + ")";
    }
}
