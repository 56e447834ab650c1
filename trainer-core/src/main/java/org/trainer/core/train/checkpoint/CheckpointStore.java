package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.io.AtomicFile;
import org.trainer.core.io.Safetensors;

/**
 * A directory of checkpoints: writes them atomically, lists them, reads them back verified, and
 * keeps the newest few. One writer per directory: a fit that writes holds the directory's
 * {@link CheckpointLock} for the whole run (the store itself does not lock).
 *
 * <p><b>Layout.</b> Each checkpoint is a sub-directory named after its position,
 * {@code epoch-EEEEE-batch-BBBBBBB} (the next batch to train; see {@link Checkpoint}), holding
 * <pre>
 *   model.safetensors      the model's parameters and buffers (readable by Safetensors.load and PyTorch)
 *   optimizer.safetensors  the optimizer's state dict
 *   state.safetensors      the run's other numbers (history, partial sums, metric and callback states)
 *   trainer.json           format, library version, position and info (no floating-point numbers)
 *   checksums.sha256       the SHA-256 of each file above, in the format of sha256sum (written last)
 * </pre>
 * so {@code sha256sum -c checksums.sha256} inside a checkpoint checks it by hand.
 *
 * <p><b>Atomicity.</b> A checkpoint is written into a fresh directory named {@code .tmp-...}: each
 * file is written, flushed and forced to disk (fsync), the directory is forced, and only then is it
 * renamed to its final name (an atomic rename), and the parent directory forced. A crash at any
 * moment leaves either no checkpoint under the final name or a complete one; temporaries left by a
 * crash are removed by {@link #removeTemporaries()}. A checkpoint already under the same name (a
 * damaged one that a resumed run passes again) is first renamed aside, then replaced.
 *
 * <p><b>Verification.</b> {@link #read(Path)} recomputes every SHA-256 before parsing anything and
 * refuses a checkpoint with a file missing, truncated or altered with a
 * {@link CorruptCheckpointException} that names the file; {@link #latest()} then falls back to the
 * previous checkpoint. Whether the tensors fit a model is the reader's check (the Trainer's).
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "state.safetensors";
    static final String TRAINER = "trainer.json";
    static final String CHECKSUMS = "checksums.sha256";
    static final String TEMP_PREFIX = ".tmp-";
    private static final List<String> FILES = List.of(MODEL, OPTIMIZER, STATE, TRAINER);
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{5,9})-batch-(\\d{7,9})");
    private static final Pattern CHECKSUM_LINE = Pattern.compile("([0-9a-f]{64}) [ *](\\S+)");
    private static final long FORMAT = 1;

    private final Path directory;

    /**
     * A store over a directory, which need not exist yet (the first write creates it).
     *
     * @param directory the checkpoint directory
     */
    public CheckpointStore(Path directory) {
        if (directory == null) {
            throw new IllegalArgumentException("CheckpointStore: directory must not be null");
        }
        this.directory = directory;
    }

    /**
     * The directory holding the checkpoints.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    static String name(int epoch, int batch) {
        return String.format("epoch-%05d-batch-%07d", epoch, batch);
    }

    /**
     * Writes a checkpoint atomically under {@code epoch-EEEEE-batch-BBBBBBB} and returns its
     * directory. On failure nothing is left under the final name.
     *
     * @param c the checkpoint
     * @return the checkpoint's directory
     * @throws IOException if the checkpoint cannot be written
     */
    public Path write(Checkpoint c) throws IOException {
        Files.createDirectories(directory);
        String name = c.name();
        Path target = directory.resolve(name);
        Path tmp = Files.createTempDirectory(directory, TEMP_PREFIX + name + "-");
        boolean moved = false;
        try {
            Map<String, String> sums = new LinkedHashMap<>();
            writeTensors(tmp, MODEL, c.model(), sums);
            writeTensors(tmp, OPTIMIZER, c.optimizer(), sums);
            writeTensors(tmp, STATE, c.state(), sums);
            Map<String, Object> trainer = new LinkedHashMap<>();
            trainer.put("format", FORMAT);
            trainer.put("library_version", c.libraryVersion());
            trainer.put("epoch", c.epoch());
            trainer.put("batch", c.batch());
            trainer.put("iteration", c.iteration());
            trainer.put("samples_seen", c.samplesSeen());
            trainer.put("info", c.info());
            byte[] json = Json.write(trainer);
            writeDurably(tmp.resolve(TRAINER), json);
            sums.put(TRAINER, sha256(tmp.resolve(TRAINER)));
            StringBuilder lines = new StringBuilder();
            sums.forEach((file, sum) -> lines.append(sum).append("  ").append(file).append('\n'));
            writeDurably(tmp.resolve(CHECKSUMS), lines.toString().getBytes(StandardCharsets.UTF_8));
            AtomicFile.forceDirectory(tmp);
            Path aside = null;
            if (Files.exists(target)) {
                aside = directory.resolve(TEMP_PREFIX + "replaced-" + name + "-" + System.nanoTime());
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            AtomicFile.forceDirectory(directory);
            if (aside != null) {
                deleteTree(aside);
            }
        } finally {
            if (!moved) {
                deleteTree(tmp);
            }
        }
        LOG.debug("checkpoint written: {}", target);
        return target;
    }

    private static void writeTensors(Path dir, String file, Map<String, Tensor> tensors, Map<String, String> sums)
            throws IOException {
        Path p = dir.resolve(file);
        Safetensors.save(tensors, Map.of(), p); // forced to disk, then renamed within dir
        sums.put(file, sha256(p));
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The checkpoint directories by position, oldest first (by name only: not verified).
     *
     * @return the directories, oldest first
     * @throws IOException if the directory cannot be listed
     */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(directory)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)).forEach(out::add);
        }
        out.sort(Comparator.comparingLong(CheckpointStore::order));
        return out;
    }

    private static long order(Path p) {
        return order(p.getFileName().toString());
    }

    /** Whether a file name is a checkpoint's, {@code epoch-EEEEE-batch-BBBBBBB}. */
    static boolean isCheckpointName(String name) {
        return NAME.matcher(name).matches();
    }

    /** A checkpoint name's position as one number: names sort by it, oldest first. */
    static long order(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint name: " + name);
        }
        return Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2));
    }

    /**
     * The newest checkpoint that verifies, or empty when there is none. Each newer one that is refused
     * is logged at WARN with the reason.
     *
     * @return the newest good checkpoint, or empty
     * @throws IOException if the directory cannot be listed
     */
    public Optional<Checkpoint> latest() throws IOException {
        return latest(new ArrayList<>());
    }

    /**
     * The newest checkpoint that verifies, or empty when there is none; each newer one that is
     * refused is logged at WARN and added to {@code refused} (newest first), so that a caller can
     * tell an empty directory from one whose every checkpoint is damaged. Modifies only
     * {@code refused}.
     *
     * @param refused receives the refused checkpoints
     * @return the newest good checkpoint, or empty
     * @throws IOException if the directory cannot be listed
     */
    public Optional<Checkpoint> latest(List<CorruptCheckpointException> refused) throws IOException {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(read(all.get(i)));
            } catch (CorruptCheckpointException e) {
                refused.add(e);
                LOG.warn("{}; {}", e.getMessage(), i > 0 ? "falling back to " + all.get(i - 1).getFileName()
                        : "no older checkpoint is left");
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a checkpoint directory, verifying every file's SHA-256 first.
     *
     * @param dir a checkpoint directory
     * @return the checkpoint
     * @throws CorruptCheckpointException when a file is missing, truncated, altered or unreadable
     */
    public static Checkpoint read(Path dir) throws CorruptCheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CorruptCheckpointException(dir, "it is not a directory");
        }
        Map<String, String> sums = readChecksums(dir);
        for (String file : FILES) {
            String expected = sums.get(file);
            if (expected == null) {
                throw new CorruptCheckpointException(dir, CHECKSUMS + " lists no " + file);
            }
            Path p = dir.resolve(file);
            String actual;
            long size;
            try {
                size = Files.size(p);
                actual = sha256(p);
            } catch (NoSuchFileException e) {
                throw new CorruptCheckpointException(dir, file + " is missing");
            } catch (IOException e) {
                throw new CorruptCheckpointException(dir, file + " cannot be read: " + e, e);
            }
            if (!actual.equals(expected)) {
                throw new CorruptCheckpointException(dir, file + " (" + size + " bytes) has SHA-256 " + actual
                        + " but " + CHECKSUMS + " records " + expected + ": the file is truncated or altered");
            }
        }
        try {
            Map<String, Tensor> model = Safetensors.read(dir.resolve(MODEL));
            Map<String, Tensor> optimizer = Safetensors.read(dir.resolve(OPTIMIZER));
            Map<String, Tensor> state = Safetensors.read(dir.resolve(STATE));
            Map<String, Object> t = Json.read(Files.readAllBytes(dir.resolve(TRAINER)), TRAINER);
            long format = whole(dir, t, "format");
            if (format != FORMAT) {
                throw new CorruptCheckpointException(dir, TRAINER + " has format " + format + ", this library reads "
                        + FORMAT);
            }
            int epoch = Math.toIntExact(whole(dir, t, "epoch"));
            int batch = Math.toIntExact(whole(dir, t, "batch"));
            Matcher m = NAME.matcher(dir.getFileName().toString());
            if (m.matches() && (Integer.parseInt(m.group(1)) != epoch || Integer.parseInt(m.group(2)) != batch)) {
                throw new CorruptCheckpointException(dir, "the name does not match the position in " + TRAINER
                        + " (epoch " + epoch + ", batch " + batch + ")");
            }
            Object info = t.get("info");
            if (!(info instanceof Map<?, ?>)) {
                throw new CorruptCheckpointException(dir, TRAINER + " has no 'info' object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> infoMap = (Map<String, Object>) info;
            Object version = t.get("library_version");
            return new Checkpoint(epoch, batch, whole(dir, t, "iteration"), whole(dir, t, "samples_seen"), model,
                    optimizer, state, infoMap, version instanceof String s ? s : "unknown", dir);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptCheckpointException(dir, "its contents cannot be parsed: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> readChecksums(Path dir) throws CorruptCheckpointException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(CHECKSUMS), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException(dir, "it has no " + CHECKSUMS + " (an incomplete checkpoint)");
        } catch (IOException e) {
            throw new CorruptCheckpointException(dir, CHECKSUMS + " cannot be read: " + e, e);
        }
        Map<String, String> sums = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = CHECKSUM_LINE.matcher(lines.get(i));
            if (!m.matches()) {
                throw new CorruptCheckpointException(dir, CHECKSUMS + " line " + (i + 1) + " is malformed: '"
                        + lines.get(i) + "' (expected '<64 hex digits>  <file>')");
            }
            sums.put(m.group(2), m.group(1));
        }
        return sums;
    }

    private static long whole(Path dir, Map<String, Object> t, String key) throws CorruptCheckpointException {
        Object v = t.get(key);
        if (!(v instanceof Long l) || l < 0) {
            throw new CorruptCheckpointException(dir, TRAINER + " needs a whole number >= 0 for '" + key + "', got " + v);
        }
        return l;
    }

    /**
     * Deletes all but the newest {@code k} checkpoints (k >= 1); each is renamed aside before it is deleted.
     *
     * @param k the number to keep, at least 1
     * @throws IOException if a checkpoint cannot be removed
     */
    public void keepLast(int k) throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("keepLast: k must be >= 1, got " + k);
        }
        List<Path> all = list();
        for (int i = 0; i < all.size() - k; i++) {
            Path aside = directory.resolve(TEMP_PREFIX + "deleted-" + all.get(i).getFileName() + "-" + System.nanoTime());
            Files.move(all.get(i), aside, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(aside);
        }
    }

    /**
     * Removes the temporaries ({@code .tmp-*}) that interrupted writes left behind; returns how many.
     *
     * @return the number removed
     * @throws IOException if a temporary cannot be removed
     */
    public int removeTemporaries() throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        List<Path> temps = new ArrayList<>();
        try (Stream<Path> s = Files.list(directory)) {
            s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).forEach(temps::add);
        }
        for (Path p : temps) {
            deleteTree(p);
        }
        return temps.size();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        if (Files.isDirectory(p)) {
            List<Path> children = new ArrayList<>();
            try (Stream<Path> s = Files.list(p)) {
                s.forEach(children::add);
            }
            for (Path c : children) {
                deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }
}
