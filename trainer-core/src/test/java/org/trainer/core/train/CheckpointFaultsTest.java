package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.train.CheckpointResumeTest.Outcome;
import org.trainer.core.train.checkpoint.CheckpointLock;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;

/** Checkpoint directories that fit must not use quietly: all damaged, or held by another writer. */
class CheckpointFaultsTest {
    @TempDir
    Path dir;

    /** Three checkpoints, then every one truncated; returns their names. */
    private List<Path> allDamaged(Checkpointing c) throws IOException {
        assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(c, 17, 24));
        List<Path> saved = new CheckpointStore(dir).list();
        assertEquals(3, saved.size());
        for (Path p : saved) {
            Path weights = p.resolve("model.safetensors");
            Files.write(weights, Arrays.copyOf(Files.readAllBytes(weights), (int) Files.size(weights) / 2));
        }
        return saved;
    }

    private Map<String, String> contents() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(dir.relativize(p).toString(), Arrays.toString(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    @Test
    void whenEveryCheckpointIsDamagedFitFailsByDefaultListingEachAndChangesNothing() throws IOException {
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).keepLast(3).build();
        assertEquals(Checkpointing.AllDamaged.FAIL, c.onAllDamaged());
        List<Path> damaged = allDamaged(c);
        Map<String, String> before = contents();
        var e = assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(c, -1, 24));
        assertTrue(e.getMessage().startsWith("checkpoints: every checkpoint in " + dir + " is damaged (3 refused):"),
                e.getMessage());
        for (Path p : damaged) {
            assertTrue(e.getMessage().contains("checkpoint " + p + " is refused: model.safetensors"), e.getMessage());
        }
        assertTrue(e.getMessage().contains("onAllDamaged(START_OVER)"), e.getMessage());
        assertEquals(before, contents(), "a refused resume writes nothing");
    }

    @Test
    void startOverTrainsFromTheBeginningAsIfNothingWereThere() throws IOException {
        Outcome straight = CheckpointResumeTest.fit(null, -1, 24);
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).keepLast(3)
                .onAllDamaged(Checkpointing.AllDamaged.START_OVER).build();
        allDamaged(c);
        CheckpointResumeTest.assertSameRun(straight, CheckpointResumeTest.fit(c, -1, 24), "started over");
        // The run's own checkpoints replaced the damaged ones.
        assertTrue(new CheckpointStore(dir).latest().isPresent());
    }

    @Test
    void fitRefusesADirectoryThatAnotherWriterHolds() throws IOException {
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).build();
        try (CheckpointLock other = CheckpointLock.acquire(dir)) {
            var e = assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(c, -1, 24));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertTrue(new CheckpointStore(dir).list().isEmpty(), "the refused run wrote no checkpoint");
            // A reader takes no lock: it trains beside the writer without writing.
            CheckpointResumeTest.fit(Checkpointing.builder(dir).everySteps(3).writes(false).build(), -1, 24);
        }
        // Released by the writer, and by each fit that ends, failed or not.
        CheckpointResumeTest.fit(c, -1, 24);
        CheckpointResumeTest.fit(c, -1, 24);
    }
}
