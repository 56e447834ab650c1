package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.trainer.core.io.AtomicFile;

/**
 * A {@link CheckpointLocation} that is a directory, e.g. on another volume than the job's: each
 * checkpoint is copied into a temporary {@code .tmp-} name, forced to disk, verified and renamed to
 * its own name, so that a copy cut short is never listed (its temporary is removed by the next put).
 */
public final class DirectoryCheckpointLocation implements CheckpointLocation {
    private final Path root;

    public DirectoryCheckpointLocation(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("DirectoryCheckpointLocation: root must not be null");
        }
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public List<String> list() throws IOException {
        return new CheckpointStore(root).list().stream().map(p -> p.getFileName().toString()).toList();
    }

    @Override
    public void put(Path checkpoint) throws IOException {
        String name = checkpoint.getFileName().toString();
        if (!CheckpointStore.isCheckpointName(name)) {
            throw new IllegalArgumentException("DirectoryCheckpointLocation.put: " + checkpoint
                    + " is not named as a checkpoint (epoch-EEEEE-batch-BBBBBBB)");
        }
        Files.createDirectories(root);
        new CheckpointStore(root).removeTemporaries(); // one job writes a location: these are cut-short copies
        Path target = root.resolve(name);
        if (Files.isDirectory(target)) {
            return;
        }
        Path tmp = Files.createTempDirectory(root, CheckpointStore.TEMP_PREFIX + name + "-");
        boolean moved = false;
        try {
            copyFiles(checkpoint, tmp, true);
            CheckpointStore.read(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            AtomicFile.forceDirectory(root);
        } finally {
            if (!moved) {
                CheckpointStore.deleteTree(tmp);
            }
        }
    }

    @Override
    public void get(String name, Path target) throws IOException {
        Path source = root.resolve(name);
        if (!CheckpointStore.isCheckpointName(name) || !Files.isDirectory(source)) {
            throw new IllegalArgumentException("DirectoryCheckpointLocation.get: no checkpoint '" + name + "' in " + root);
        }
        Files.createDirectory(target);
        copyFiles(source, target, false);
    }

    @Override
    public void delete(String name) throws IOException {
        Path p = root.resolve(name);
        if (!CheckpointStore.isCheckpointName(name) || !Files.exists(p)) {
            return;
        }
        Path aside = root.resolve(CheckpointStore.TEMP_PREFIX + "deleted-" + name + "-" + System.nanoTime());
        Files.move(p, aside, StandardCopyOption.ATOMIC_MOVE);
        CheckpointStore.deleteTree(aside);
    }

    /** Copies the regular files of {@code from} into {@code to}; with {@code force}, each is forced to disk. */
    private static void copyFiles(Path from, Path to, boolean force) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(from)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            Path copy = to.resolve(f.getFileName().toString());
            Files.copy(f, copy);
            if (force) {
                try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        }
        if (force) {
            AtomicFile.forceDirectory(to);
        }
    }

    @Override
    public String toString() {
        return "DirectoryCheckpointLocation(" + root + ")";
    }
}
