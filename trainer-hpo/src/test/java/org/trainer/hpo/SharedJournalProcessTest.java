package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker JVMs on one shared journal, each killed with SIGKILL at seeded random moments and
 * started again, until the study has its 30 trials: every trial COMPLETE exactly once in the
 * final state, numbered 0..29, re-runs with the parameters of the first start, and every value
 * (the best one included) equal to the objective re-evaluated on its parameters.
 */
class SharedJournalProcessTest {
    private static final int TRIALS = 30;
    private static final int WORKERS = 3;
    private static final int KILLS_PER_WORKER = 2;

    @TempDir
    Path dir;

    private int starts;

    private Process start(Path journal) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("worker-" + (starts++) + ".out");
        return new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                SharedJournalWorkerMain.class.getName(), journal.toString(), Integer.toString(TRIALS))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private Path outOf(int start) {
        return dir.resolve("worker-" + start + ".out");
    }

    private static boolean working(Path out) throws IOException {
        return Files.exists(out) && Files.readString(out).contains("running ");
    }

    @Test
    void killedAndRestartedWorkersEndWithEveryTrialCompleteOnce() throws Exception {
        Path journal = dir.resolve("workers.jsonl");
        Random random = new Random(20261206L);
        Process[] procs = new Process[WORKERS];
        int[] startOf = new int[WORKERS];
        int[] killsLeft = new int[WORKERS];
        long[] killAt = new long[WORKERS]; // 0: not scheduled until the worker runs a trial
        int kills = 0;
        try {
            for (int w = 0; w < WORKERS; w++) {
                startOf[w] = starts;
                procs[w] = start(journal);
                killsLeft[w] = KILLS_PER_WORKER;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            boolean[] finished = new boolean[WORKERS];
            while (!(finished[0] && finished[1] && finished[2])) {
                assertTrue(System.nanoTime() < deadline, "the workers did not finish the study in time");
                for (int w = 0; w < WORKERS; w++) {
                    if (finished[w]) {
                        continue;
                    }
                    Process p = procs[w];
                    if (!p.isAlive()) {
                        assertEquals(0, p.exitValue(), "worker " + w + ": " + Files.readString(outOf(startOf[w])));
                        finished[w] = true;
                        continue;
                    }
                    if (killsLeft[w] == 0) {
                        continue;
                    }
                    if (killAt[w] == 0 && working(outOf(startOf[w]))) {
                        killAt[w] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(400));
                    } else if (killAt[w] != 0 && System.nanoTime() >= killAt[w]) {
                        p.destroyForcibly(); // SIGKILL
                        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                        if (kills == 0) {
                            tearLastLine(journal);
                        }
                        kills++;
                        killsLeft[w]--;
                        killAt[w] = 0;
                        startOf[w] = starts;
                        procs[w] = start(journal);
                    }
                }
                Thread.sleep(10);
            }
        } finally {
            for (Process p : procs) {
                if (p != null) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        assertEquals(WORKERS * KILLS_PER_WORKER, kills);

        List<FrozenTrial> trials = Study.load(journal);
        assertEquals(TRIALS, trials.size(), trials.toString());
        Map<Integer, List<JsonNode>> startsOf = new TreeMap<>();
        for (JsonNode e : Journal.read(journal)) {
            if ("start".equals(e.path("event").asText())) {
                startsOf.computeIfAbsent(e.get("number").asInt(), n -> new ArrayList<>()).add(e.get("params"));
            }
        }
        assertEquals(TRIALS, startsOf.size(), "one number per trial, none skipped");
        int reRuns = 0;
        Map<Integer, FrozenTrial> byNumber = new HashMap<>();
        for (int i = 0; i < TRIALS; i++) {
            FrozenTrial t = trials.get(i);
            assertEquals(i, t.number());
            byNumber.put(i, t);
            assertEquals(TrialState.COMPLETE, t.state(), t.toString());
            List<JsonNode> runs = startsOf.get(i);
            reRuns += runs.size() - 1;
            assertTrue(runs.stream().allMatch(p -> p.equals(runs.get(0))), "trial " + i + " re-ran with other parameters: " + runs);
            assertEquals(runs.get(0).get("x").asDouble(), (Double) t.params().get("x"));
            assertEquals(runs.get(0).get("y").asDouble(), (Double) t.params().get("y"));
            assertEquals(runs.get(0).get("k").asInt(), (Integer) t.params().get("k"));
            assertEquals(reEvaluate(t), t.value(), "trial " + i);
        }
        for (String line : Files.readAllLines(journal)) {
            assertTrue(line.startsWith("{\"event\":") && line.endsWith("}"), "the torn line was not cut off: " + line);
        }
        assertTrue(reRuns >= 1, "no kill landed in a trial: the test did not exercise a re-run; journal:\n"
                + Files.readString(journal));
        FrozenTrial best = trials.stream().min((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
        assertEquals(reEvaluate(best), best.value());
        assertEquals(List.of(), listFiles(Study.workersDir(journal)), "a lock file outlived its worker");
    }

    /**
     * Appends half an event under the journal's lock, as a writer killed in the middle of its
     * write leaves it (a kill rarely lands inside the write itself): the next writer must cut it.
     */
    private static void tearLastLine(Path journal) throws IOException {
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            ch.write(ByteBuffer.wrap("{\"event\":\"report\",\"number\":0,\"st".getBytes(StandardCharsets.UTF_8)), ch.size());
            ch.force(false);
        }
    }

    private static double reEvaluate(FrozenTrial t) {
        return SharedJournalWorkerMain.objective((Double) t.params().get("x"), (Double) t.params().get("y"),
                (Integer) t.params().get("k"));
    }

    private static List<Path> listFiles(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.toList();
        }
    }
}
