package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRendezvousTest {
    @TempDir
    Path dir;

    @Test
    void everyRankGetsEveryAddressByRank() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> fs = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int rank = r;
                fs.add(pool.submit(() -> new FileRendezvous(dir, "run-1").exchange(rank, 3, "host" + rank + ":" + (5000
                        + rank), Duration.ofSeconds(10))));
            }
            for (Future<List<String>> f : fs) {
                assertEquals(List.of("host0:5000", "host1:5001", "host2:5002"), f.get());
            }
            try (var files = Files.list(dir)) {
                assertEquals(List.of("rank-0", "rank-1", "rank-2"), files.map(p -> p.getFileName().toString()).sorted()
                        .toList(), "no temporary file is left behind");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFileFromAnEarlierRunIsNotTakenForTheCurrentOne() throws Exception {
        Files.writeString(dir.resolve("rank-1"), "run-1\n2\nold-host:4000\n");
        FileRendezvous current = new FileRendezvous(dir, "run-2");
        CollectiveException e = assertThrows(CollectiveException.class,
                () -> current.exchange(0, 2, "new-host:4001", Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("rank(s) [1] did not publish their address within PT0.2S (rank(s) [1] have"
                + " files from another run)"), e.getMessage());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<List<String>> r1 = pool.submit(() -> new FileRendezvous(dir, "run-2").exchange(1, 2, "new-host:4002",
                    Duration.ofSeconds(10)));
            assertEquals(List.of("new-host:4001", "new-host:4002"), current.exchange(0, 2, "new-host:4001",
                    Duration.ofSeconds(10)));
            assertEquals(List.of("new-host:4001", "new-host:4002"), r1.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badArgumentsAndAnotherWorldSizeAreNamed() throws Exception {
        FileRendezvous r = new FileRendezvous(dir, "run");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> r.exchange(0, 2, "no-port", Duration.ofSeconds(1)))
                .getMessage().contains("address must be host:port with a port in [1, 65535], got \"no-port\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> r.exchange(2, 2, "h:1", Duration.ofSeconds(1)))
                .getMessage().contains("rank must be a rank in [0, 2), got 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FileRendezvous(dir, "a\nb")).getMessage()
                .contains("runId must be non-empty and on one line"));
        Files.writeString(dir.resolve("rank-1"), "run\n3\nh:2\n");
        assertTrue(assertThrows(CollectiveException.class, () -> r.exchange(0, 2, "h:1", Duration.ofSeconds(1)))
                .getMessage().contains("rank 1 published world size 3, expected 2"));
    }
}
