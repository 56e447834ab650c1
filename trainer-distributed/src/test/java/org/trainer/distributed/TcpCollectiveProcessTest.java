package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks in separate JVMs ({@link TcpRankMain}): sums across processes, and a killed rank is named by the others. */
class TcpCollectiveProcessTest {
    private static final int WORLD = 3;

    @TempDir
    Path dir;

    @Test
    void ranksInSeparateProcessesSumAndNameARankThatIsKilled() throws Exception {
        List<Rank> done = start("complete", 4, 10_000);
        try {
            for (Rank r : done) {
                assertTrue(r.process.waitFor(60, TimeUnit.SECONDS), "rank " + r.rank + " did not finish: " + r.lines);
                assertEquals(0, r.process.exitValue(), "rank " + r.rank + ": " + r.lines);
                assertTrue(r.lines.containsAll(List.of("ROUND 0 OK", "ROUND 3 OK", "DONE")), r.lines.toString());
            }
        } finally {
            destroy(done);
        }

        // A short timeout: the survivors must notice the killed rank's connection drop, not wait it out.
        List<Rank> ranks = start("killed", 100_000, 3_000);
        try {
            for (Rank r : ranks) {
                r.await("ROUND 2 OK", 60);
            }
            Rank victim = ranks.get(1);
            victim.process.destroyForcibly();
            long t0 = System.nanoTime();
            for (Rank r : ranks) {
                if (r == victim) {
                    continue;
                }
                assertTrue(r.process.waitFor(10, TimeUnit.SECONDS), "rank " + r.rank + " still runs: " + r.lines);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertEquals(3, r.process.exitValue(), "rank " + r.rank + ": " + r.lines);
                String failed = r.lines.stream().filter(l -> l.startsWith("FAILED ")).findFirst().orElse("");
                assertTrue(failed.contains("rank 1 lost"), "rank " + r.rank + ": " + r.lines);
                assertTrue(seconds < 3, "rank " + r.rank + " took " + seconds + " s to fail: " + failed);
            }
        } finally {
            destroy(ranks);
        }
    }

    private List<Rank> start(String run, int rounds, long timeoutMillis) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String secret = TcpCollective.Options.toHex(TcpCollective.Options.newSecret());
        List<Rank> out = new ArrayList<>();
        try {
            for (int r = 0; r < WORLD; r++) {
                ProcessBuilder pb = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-Xmx256m", "-cp",
                        System.getProperty("java.class.path"), TcpRankMain.class.getName(), Integer.toString(r),
                        Integer.toString(WORLD), dir.resolve(run).toString(), run, secret, Integer.toString(rounds),
                        Long.toString(timeoutMillis));
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                out.add(new Rank(r, pb.start()));
            }
        } catch (IOException | RuntimeException e) {
            destroy(out);
            throw e;
        }
        return out;
    }

    private static void destroy(List<Rank> ranks) throws InterruptedException {
        for (Rank r : ranks) {
            r.process.destroyForcibly();
        }
        for (Rank r : ranks) {
            r.process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A child rank and the lines it has written to stderr so far. */
    private static final class Rank {
        final int rank;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Rank(int rank, Process process) {
            this.rank = rank;
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The child was killed: its stream ends.
                }
            }, "rank-" + rank + "-stderr");
            reader.setDaemon(true);
            reader.start();
        }

        void await(String line, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (!lines.contains(line)) {
                assertTrue(process.isAlive() || lines.contains(line), "rank " + rank + " ended: " + lines);
                assertTrue(System.nanoTime() < deadline, "rank " + rank + " did not reach " + line + ": " + lines);
                Thread.sleep(10);
            }
        }
    }
}
