package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process study with journal storage ({@link CrashingStudyMain}) killed with SIGKILL at
 * random moments (while it starts, while a trial runs, right after a trial finished) and resumed
 * each time: no trial is lost or duplicated, none finished before a kill is run again, and the
 * trials (numbers, parameters, values) are those of an uninterrupted study.
 * The CI form kills 4 times; {@code -Dtrainer.faults.long=true} runs the long form (15 kills).
 */
class StudyFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(StudyFaultsTest.class);
    private static final boolean LONG = Boolean.getBoolean("trainer.faults.long");
    private static final int KILLS = LONG ? 15 : 4;
    private static final int TRIALS = LONG ? 60 : 16;
    private static final long TIMEOUT_S = 120;

    @TempDir
    Path dir;

    private Process start(Path journal, Path runs) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CrashingStudyMain.class.getName(), journal.toString(), runs.toString(), Integer.toString(TRIALS))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile())).start();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    }

    private void awaitSuccess(Process p) throws Exception {
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the study did not end within " + TIMEOUT_S + " s; its log:\n" + log());
        }
        assertEquals(0, p.exitValue(), "the study failed; its log:\n" + log());
    }

    private static long count(Path journal, String event) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        return Files.readAllLines(journal).stream().filter(l -> l.startsWith("{\"event\":\"" + event + "\"")).count();
    }

    /** The runs of each trial's objective, by trial number: the x each run got. */
    private static Map<Integer, List<String>> runs(Path runs) throws IOException {
        Map<Integer, List<String>> out = new TreeMap<>();
        if (Files.exists(runs)) {
            for (String line : Files.readAllLines(runs)) {
                String[] f = line.split(" ");
                if (f.length == 2) { // a line cut by a kill has no x yet
                    out.computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>()).add(f[1]);
                }
            }
        }
        return out;
    }

    private void await(Process p, String what, IoCondition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!c.holds()) {
            if (!p.isAlive()) {
                fail("the study ended (exit code " + p.exitValue() + ") before " + what + "; its log:\n" + log());
            }
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + TIMEOUT_S + " s");
            Thread.sleep(2);
        }
    }

    @FunctionalInterface
    private interface IoCondition {
        boolean holds() throws IOException;
    }

    @Test
    void aStudyKilledAtRandomMomentsAndResumedLosesAndDuplicatesNoTrial() throws Exception {
        Path refJournal = dir.resolve("reference.jsonl");
        awaitSuccess(start(refJournal, dir.resolve("reference-runs.log")));
        List<FrozenTrial> expected = Study.load(refJournal);
        assertEquals(TRIALS, expected.size());

        Path journal = dir.resolve("killed.jsonl");
        Path runs = dir.resolve("killed-runs.log");
        Random random = new Random(29);
        Map<Integer, Double> finishedAtKills = new TreeMap<>();
        Map<Integer, Integer> runsWhenFinished = new TreeMap<>();
        int kills = 0;
        while (kills < KILLS) {
            long finishedBefore = count(journal, "finish");
            Process p = start(journal, runs);
            String moment;
            switch (kills % 3) {
                case 0 -> {
                    long delay = random.nextInt(1200);
                    moment = delay + " ms after the start";
                    p.waitFor(delay, TimeUnit.MILLISECONDS);
                }
                case 1 -> {
                    // While a trial's objective runs: started, in the run log, not finished.
                    await(p, "running trial", () -> count(journal, "finish") > finishedBefore
                            && count(journal, "start") > count(journal, "finish")
                            && runs(runs).values().stream().mapToLong(List::size).sum() > count(journal, "finish"));
                    long delay = random.nextInt(150);
                    Thread.sleep(delay);
                    moment = delay + " ms into a running trial";
                }
                default -> {
                    await(p, "finished trial", () -> count(journal, "finish") > finishedBefore);
                    moment = "right after a trial finished";
                }
            }
            if (!p.isAlive()) {
                fail("the study ended (exit code " + p.exitValue() + ") before kill " + (kills + 1)
                        + "; give it more trials. Its log:\n" + log());
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a killed study did not end");
            kills++;
            if (count(journal, "study") > 0) { // a kill while the study starts may leave an empty journal
                for (FrozenTrial t : Study.load(journal)) {
                    if (t.state() == TrialState.COMPLETE && finishedAtKills.putIfAbsent(t.number(), t.value()) == null) {
                        runsWhenFinished.put(t.number(), runs(runs).get(t.number()).size());
                    }
                }
            }
            LOG.info("study kill {} ({}): {} trials finished", kills, moment, finishedAtKills.size());
        }
        awaitSuccess(start(journal, runs));

        List<FrozenTrial> actual = Study.load(journal);
        LOG.info("study: {} kills, then a clean end; {} trials, {} of them re-run after a kill", kills, actual.size(),
                runs(runs).values().stream().filter(r -> r.size() > 1).count());
        assertEquals(IntStream.range(0, TRIALS).boxed().toList(), actual.stream().map(FrozenTrial::number).toList(),
                "every trial, once");
        Map<Integer, List<String>> objectiveRuns = runs(runs);
        for (FrozenTrial t : actual) {
            FrozenTrial e = expected.get(t.number());
            assertEquals(TrialState.COMPLETE, t.state(), t.toString());
            assertEquals(e.params(), t.params(), "trial " + t.number() + "'s parameters");
            assertEquals(e.value(), t.value(), "trial " + t.number() + "'s value");
            List<String> r = objectiveRuns.get(t.number());
            assertTrue(r != null && r.stream().allMatch(x -> Double.parseDouble(x) == (Double) t.params().get("x")),
                    "trial " + t.number() + "'s runs " + r);
        }
        for (Map.Entry<Integer, Double> f : finishedAtKills.entrySet()) {
            assertEquals(f.getValue(), actual.get(f.getKey()).value(), "trial " + f.getKey() + " finished before a kill");
            assertEquals(runsWhenFinished.get(f.getKey()), objectiveRuns.get(f.getKey()).size(), "trial " + f.getKey()
                    + " finished before a kill was run again afterwards");
        }
        assertTrue(finishedAtKills.size() < TRIALS, "the kills came before the end");
        assertEquals(expected.stream().mapToDouble(FrozenTrial::value).min().orElseThrow(),
                actual.stream().mapToDouble(FrozenTrial::value).min().orElseThrow(), "the best value");
    }
}
