package org.trainer.core.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable copy of a checkpoint directory: pushed newest first, only complete and verified
 * copies listed, older ones dropped as the local directory drops them; pulled back newest first,
 * past a damaged copy, into a directory that was deleted.
 */
class CheckpointMirrorTest {

    private static List<String> names(CheckpointStore s) throws IOException {
        return s.list().stream().map(p -> p.getFileName().toString()).toList();
    }

    /** A location that records the order of puts. */
    private static final class Recording implements CheckpointLocation {
        final DirectoryCheckpointLocation inner;
        final List<String> puts = new ArrayList<>();

        Recording(Path root) {
            inner = new DirectoryCheckpointLocation(root);
        }

        @Override
        public List<String> list() throws IOException {
            return inner.list();
        }

        @Override
        public void put(Path checkpoint) throws IOException {
            puts.add(checkpoint.getFileName().toString());
            inner.put(checkpoint);
        }

        @Override
        public void get(String name, Path target) throws IOException {
            inner.get(name, target);
        }

        @Override
        public void delete(String name) throws IOException {
            inner.delete(name);
        }
    }

    @Test
    void pushCopiesNewestFirstAndDropsWhatTheLocalDirectoryDropped(@TempDir Path root) throws IOException {
        CheckpointStore local = new CheckpointStore(root.resolve("local"));
        local.write(CheckpointStoreTest.sample(1, 0, 1));
        local.write(CheckpointStoreTest.sample(1, 5, 2));
        local.write(CheckpointStoreTest.sample(2, 0, 3));
        Recording remote = new Recording(root.resolve("durable"));
        CheckpointMirror mirror = new CheckpointMirror(local, remote);

        assertEquals(3, mirror.push());
        assertEquals(List.of("epoch-00002-batch-0000000", "epoch-00001-batch-0000005", "epoch-00001-batch-0000000"),
                remote.puts, "newest first: a restart needs it first");
        assertEquals(0, mirror.push(), "nothing new");
        local.write(CheckpointStoreTest.sample(2, 5, 4));
        local.keepLast(2);
        assertEquals(1, mirror.push());
        assertEquals(names(local), new CheckpointStore(root.resolve("durable")).list().stream()
                .map(p -> p.getFileName().toString()).toList(), "the copy keeps what the local directory keeps");
        CheckpointStoreTest.assertSameTensors(local.latest().orElseThrow().model(),
                new CheckpointStore(root.resolve("durable")).latest().orElseThrow().model());
    }

    @Test
    void aCopyThatDoesNotVerifyIsNeverListedAndItsTemporaryGoes(@TempDir Path root) throws IOException {
        CheckpointStore local = new CheckpointStore(root.resolve("local"));
        Path written = local.write(CheckpointStoreTest.sample(1, 0, 1));
        Files.write(written.resolve("model.safetensors"), new byte[] {1, 2, 3}); // damaged after its checksums
        DirectoryCheckpointLocation remote = new DirectoryCheckpointLocation(root.resolve("durable"));
        assertThrows(CorruptCheckpointException.class, () -> remote.put(written));
        assertEquals(List.of(), remote.list());
        try (var s = Files.list(root.resolve("durable"))) {
            assertEquals(0, s.count(), "no temporary is left");
        }
        assertEquals(0, new CheckpointMirror(local, remote).push(), "skipped, not copied");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> remote.put(root));
        assertTrue(e.getMessage().endsWith("is not named as a checkpoint (epoch-EEEEE-batch-BBBBBBB)"), e.getMessage());
    }

    @Test
    void pullBringsBackTheNewestCheckpointThatVerifiesIntoADeletedDirectory(@TempDir Path root) throws IOException {
        CheckpointStore local = new CheckpointStore(root.resolve("local"));
        local.write(CheckpointStoreTest.sample(1, 0, 1));
        local.write(CheckpointStoreTest.sample(1, 5, 2));
        local.write(CheckpointStoreTest.sample(2, 0, 3));
        DirectoryCheckpointLocation remote = new DirectoryCheckpointLocation(root.resolve("durable"));
        new CheckpointMirror(local, remote).push();
        // The newest durable copy is damaged later (a bad disk): the pull falls back past it.
        Files.write(root.resolve("durable/epoch-00002-batch-0000000/state.safetensors"), new byte[] {0});
        CheckpointStore.deleteTree(root.resolve("local"));

        CheckpointMirror mirror = new CheckpointMirror(local, remote);
        Path pulled = mirror.pull();
        assertEquals(root.resolve("local/epoch-00001-batch-0000005"), pulled);
        assertEquals(List.of("epoch-00001-batch-0000005"), names(local), "only the newest good one is needed");
        CheckpointStoreTest.assertSameTensors(CheckpointStoreTest.sample(1, 5, 2).model(),
                local.latest().orElseThrow().model());
        assertNull(mirror.pull(), "the local directory is as new as the good copies");
        try (var s = Files.list(root.resolve("local"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary is left");
        }
    }

    @Test
    void aLocationIsOpenedByPathFileUriOrAProvidersScheme(@TempDir Path root) throws IOException {
        assertEquals(root.resolve("a"), ((DirectoryCheckpointLocation) CheckpointLocation.open(root.resolve("a")
                .toString())).root());
        assertEquals(root.resolve("b"), ((DirectoryCheckpointLocation) CheckpointLocation.open(root.resolve("b")
                .toUri().toString())).root());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointLocation.open("s3://bucket/run-7/checkpoints"));
        assertEquals("CheckpointLocation.open: no provider for scheme 's3' of 's3://bucket/run-7/checkpoints'; register a "
                + "org.trainer.core.train.checkpoint.CheckpointLocation$Provider for it, or give a path", e.getMessage());
    }
}
