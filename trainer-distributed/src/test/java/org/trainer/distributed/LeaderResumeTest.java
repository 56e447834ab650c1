package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.distributed.DistributedDataParallelTest.data;
import static org.trainer.distributed.DistributedDataParallelTest.mlp;
import static org.trainer.distributed.DistributedDataParallelTest.sgd;
import static org.trainer.distributed.DistributedDataParallelTest.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.CorruptCheckpointException;

/**
 * Ranks whose checkpoint directories differ (one machine's disk each: rank 0 writes into its own,
 * rank 1's is empty, older or holds a different checkpoint of the same name) all resume from the
 * checkpoint rank 0 chooses, and the resumed data-parallel run ends bitwise equal to one that never
 * stopped; when rank 0 has none, or only damaged ones, every rank does as rank 0 does.
 */
class LeaderResumeTest {
    private static final long SEED = 7;
    /** 96 samples, 12 a rank per step: 4 steps an epoch, 5 epochs, 20 steps; a checkpoint every 5. */
    private static final TensorDataset DATA = data(96, 10);

    @TempDir
    Path dir;

    /** What a rank ends with: the step its fit started from, and its final weights. */
    record Outcome(long startStep, Map<String, double[]> weights) {
    }

    /** Rank r's checkpoint directory under {@code root}, as if on a machine of its own. */
    private static Path own(Path root, int rank) {
        return root.resolve("rank-" + rank);
    }

    /**
     * One attempt of the 2-rank job: each rank's checkpoints in its own directory under {@code root}
     * (rank 0 writes), resumed through {@link DistributedContext#checkpoints}; rank {@code failRank}
     * throws after step {@code failStep} (none when -1) and tells the others.
     */
    private static List<Outcome> attempt(Path root, int failRank, long failStep) throws Exception {
        return Ranks.local(2, c -> {
            DistributedContext ctx = new DistributedContext(c, 0);
            long[] start = {-1};
            Callback probe = new Callback() {
                @Override
                public void onBatchBegin(TrainingContext tc, int batch) {
                    if (start[0] < 0) {
                        start[0] = tc.iteration();
                    }
                }

                @Override
                public void onBatchEnd(TrainingContext tc, int batch, double loss) {
                    if (ctx.rank() == failRank && tc.iteration() == failStep) {
                        throw new IllegalStateException("rank " + failRank + " stops after step " + failStep);
                    }
                }
            };
            try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(SEED + 1000 * c.rank()), c, 300)) {
                DataLoader loader = DataLoader.builder(DATA).batchSize(12)
                        .sampler(new DistributedSampler(DATA.size(), c.rank(), 2, true, 3, false)).build();
                new Trainer().callbacks(probe)
                        .checkpoints(ctx.checkpoints(own(root, c.rank())).everySteps(5).keepLast(2).build())
                        .fit(ddp, new CrossEntropyLoss(), sgd(ddp), loader, null, 5);
                return new Outcome(start[0], weights(ddp.module()));
            } catch (RuntimeException e) {
                c.abort("rank " + c.rank() + " failed: " + e);
                throw e;
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void assertBitwise(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, e) -> assertArrayEquals(e, actual.get(k), what + " " + k));
    }

    @Test
    void ranksWithDifferentDirectoriesResumeFromRankZerosCheckpointAsIfNeverStopped() throws Exception {
        List<Outcome> straight = attempt(dir.resolve("straight"), -1, -1);
        Path stopped = dir.resolve("stopped");
        Exception failure = assertThrows(Exception.class, () -> attempt(stopped, 1, 11));
        assertTrue(String.valueOf(failure.getMessage()).contains("stops after step 11"), String.valueOf(failure));
        List<Path> written = new CheckpointStore(own(stopped, 0)).list();
        assertEquals("epoch-00002-batch-0000002", written.get(written.size() - 1).getFileName().toString(),
                "rank 0's newest checkpoint is the one after step 10 (epoch 2, batch 2)");
        assertTrue(new CheckpointStore(own(stopped, 1)).list().isEmpty(), "rank 1 writes nothing");

        // Rank 1's disk: empty; older (rank 0's checkpoint after step 8 only); the same name as rank
        // 0's newest but other contents (a checkpoint of another run); a copy of rank 0's (no transfer).
        List<String> cases = List.of("empty", "older", "same name, other contents", "a copy of rank 0's");
        for (String kase : cases) {
            Path root = dir.resolve("resumed " + kase);
            Files.createDirectories(own(root, 1));
            copyTree(own(stopped, 0), own(root, 0));
            if (kase.equals("older")) {
                copyTree(written.get(0), own(root, 1).resolve(written.get(0).getFileName()));
            } else if (kase.equals("same name, other contents")) {
                Path other = own(dir.resolve("straight"), 0);
                List<Path> theirs = new CheckpointStore(other).list();
                copyTree(theirs.get(0), own(root, 1).resolve(written.get(written.size() - 1).getFileName()));
            } else if (kase.equals("a copy of rank 0's")) {
                copyTree(own(stopped, 0), own(root, 1));
            }
            List<Outcome> resumed = attempt(root, -1, -1);
            for (int r = 0; r < 2; r++) {
                assertEquals(10, resumed.get(r).startStep(), kase + ": rank " + r + " resumes after step 10");
                assertBitwise(straight.get(0).weights(), resumed.get(r).weights(),
                        kase + ": rank " + r + " against the uninterrupted run:");
            }
        }
    }

    /** Every rank's choice for the stores by rank, on threads. */
    private static List<Optional<Checkpoint>> choices(List<CheckpointStore> stores,
                                                      List<List<CorruptCheckpointException>> refused) throws Exception {
        return Ranks.local(stores.size(), c -> {
            try {
                return new LeaderResume(c).choose(stores.get(c.rank()), refused.get(c.rank()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void whenNoRankHasACheckpointEveryRankStartsAfresh() throws Exception {
        List<CheckpointStore> stores = List.of(new CheckpointStore(dir.resolve("nothing-0")),
                new CheckpointStore(dir.resolve("nothing-1")));
        List<List<CorruptCheckpointException>> refused = List.of(new ArrayList<>(), new ArrayList<>());
        List<Optional<Checkpoint>> got = choices(stores, refused);
        assertTrue(got.get(0).isEmpty() && got.get(1).isEmpty(), "no rank resumes: " + got);
        assertTrue(refused.get(0).isEmpty() && refused.get(1).isEmpty());
    }

    /**
     * A retried job whose rank 0 landed on a machine without the checkpoints (rank 1 runs where
     * they were written): every rank fails, naming what it found and the storage that is needed,
     * instead of starting afresh.
     */
    @Test
    void whenRankZeroHasNoCheckpointButAnotherRankHasEveryRankFailsNamingTheStorageNeeded() throws Exception {
        List<Outcome> trained = attempt(dir.resolve("trained"), -1, -1);
        assertEquals(0, trained.get(0).startStep());
        Path nothing = dir.resolve("nothing");
        Path written = own(dir.resolve("trained"), 0);
        Path newest = new CheckpointStore(written).list().get(1);
        List<CheckpointStore> stores = List.of(new CheckpointStore(nothing), new CheckpointStore(written));
        List<List<CorruptCheckpointException>> refused = List.of(new ArrayList<>(), new ArrayList<>());
        Exception e = assertThrows(Exception.class, () -> choices(stores, refused));
        String expected = "LeaderResume: rank 0 found no checkpoint in " + nothing + ", but rank 1 has " + newest
                + ": rank 0 alone writes checkpoints, so it must find them wherever it runs. Put the checkpoint"
                + " directory on storage every machine sees under the same path (a shared or network file system),"
                + " or delete the other ranks' checkpoints to start afresh";
        assertTrue(String.valueOf(e.getMessage()).contains(expected) || causes(e).contains(expected), causes(e));
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }

    @Test
    void whenEveryCheckpointOfRankZeroIsDamagedEveryRankSeesTheRefusal() throws Exception {
        attempt(dir.resolve("trained"), -1, -1);
        Path damaged = own(dir.resolve("trained"), 0);
        for (Path p : new CheckpointStore(damaged).list()) {
            Files.writeString(p.resolve("trainer.json"), "{}", StandardCharsets.UTF_8);
        }
        List<CheckpointStore> stores = List.of(new CheckpointStore(damaged), new CheckpointStore(dir.resolve("empty")));
        List<List<CorruptCheckpointException>> refused = List.of(new ArrayList<>(), new ArrayList<>());
        List<Optional<Checkpoint>> got = choices(stores, refused);
        assertTrue(got.get(0).isEmpty() && got.get(1).isEmpty(), "no rank resumes: " + got);
        assertEquals(2, refused.get(0).size(), "rank 0 refused both of its checkpoints");
        assertEquals(1, refused.get(1).size());
        String message = refused.get(1).get(0).getMessage();
        assertTrue(message.contains("rank 0 refused every checkpoint") && message.contains("trainer.json"), message);
    }

    @Test
    void filesFromRankZeroWithAPathInTheirNameAreRefused() throws Exception {
        attempt(dir.resolve("trained"), -1, -1);
        Path newest = new CheckpointStore(own(dir.resolve("trained"), 0)).list().get(1);
        byte[] packed = LeaderResume.pack(newest);
        String name = newest.getFileName().toString();
        assertEquals(newest.getFileName().toString(), LeaderResume.unpackAndRead(packed, name).path().orElseThrow()
                .getFileName().toString());
        // The first file's name is "checksums.sha256": same length as "../../evil.sha2".
        String packedText = new String(packed, StandardCharsets.ISO_8859_1).replace("checksums.sha256", "../../evil.sha25");
        IOException e = assertThrows(IOException.class,
                () -> LeaderResume.unpackAndRead(packedText.getBytes(StandardCharsets.ISO_8859_1), name));
        assertEquals("LeaderResume: rank 0 sent a file named '../../evil.sha25', expected a plain file name",
                e.getMessage());
    }
}
