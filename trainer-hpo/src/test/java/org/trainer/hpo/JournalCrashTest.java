package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study killed with SIGKILL mid-trial and started again with the same name: the finished
 * trials are kept and not re-run, the running one is re-run with the same parameters, and a torn
 * last journal line is tolerated. Real processes: a child JVM on this test's class path.
 */
class JournalCrashTest {
    @TempDir
    Path dir;

    private Process start(Path journal, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingStudyMain.class.getName(),
                journal.toString(), log.toString(), "8")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile()).start();
    }

    private static long count(Path journal, String event) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        return Files.readAllLines(journal).stream().filter(l -> l.startsWith("{\"event\":\"" + event + "\"")).count();
    }

    private static long runs(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    /**
     * One writer per journal across processes: the OS lock an open journal takes stays held while
     * it is open, also after the journal was read (in open, and by Study.load in the same process):
     * a descriptor of the file opened and closed again in this process would free that lock.
     */
    @Test
    void aJournalOpenHereIsRefusedToAStudyInAnotherProcess() throws Exception {
        Path journal = dir.resolve("held.jsonl");
        try (Study s = Study.builder().name("crash").direction(Direction.MINIMIZE).seed(4)
                .space(SearchSpace.builder().add("x", FloatRange.linear(-1, 1)).build()).journal(journal).build()) {
            s.optimize(t -> 1.0, 1);
            assertEquals(1, Study.load(journal).size());
            Process other = start(journal, dir.resolve("runs.log"));
            assertTrue(other.waitFor(60, TimeUnit.SECONDS), "the other study did not end");
            String out = Files.readString(dir.resolve("child.out"));
            assertTrue(other.exitValue() != 0 && out.contains("already open for writing"), out);
            assertEquals(1, Study.load(journal).size(), "the other process wrote nothing");
        }
    }

    @Test
    void killedAndRestartedStudyKeepsFinishedTrialsAndReRunsTheRunningOne() throws Exception {
        Path journal = dir.resolve("crash.jsonl");
        Path log = dir.resolve("runs.log");
        Process first = start(journal, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Kill once a trial's objective has begun (its line is in the run log), not merely once its
        // start is journaled: the objective starts on another thread a moment after the start.
        while (!(count(journal, "finish") >= 3 && count(journal, "start") > count(journal, "finish")
                && runs(log) > count(journal, "finish"))) {
            assertTrue(first.isAlive(), "the child ended early: " + Files.readString(dir.resolve("child.out")));
            assertTrue(System.nanoTime() < deadline, "no progress in the child");
            Thread.sleep(10);
        }
        first.destroyForcibly(); // SIGKILL
        first.waitFor();
        long finishedAtKill = count(journal, "finish");
        // A torn write, as if the kill had come in the middle of an event.
        CrashingStudyMain.append(journal, "{\"event\":\"report\",\"number\":3,\"st");

        Process second = start(journal, log);
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the resumed child did not finish");
        assertEquals(0, second.exitValue(), Files.readString(dir.resolve("child.out")));

        List<FrozenTrial> trials = Study.load(journal);
        assertEquals(8, trials.size());
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), trials.toString());
        Map<Integer, List<String>> runs = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.split(" ");
            runs.computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>()).add(f[1]);
        }
        for (FrozenTrial t : trials) {
            List<String> r = runs.get(t.number());
            boolean finishedBeforeKill = t.number() < finishedAtKill;
            // finished ones ran once; the one running at the kill ran twice, with the same x
            assertEquals(finishedBeforeKill ? 1 : t.number() == finishedAtKill ? 2 : 1, r.size(), "trial " + t.number() + ": " + r);
            assertTrue(r.stream().allMatch(x -> Double.parseDouble(x) == (Double) t.params().get("x")));
        }
    }
}
