package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.Study;
import org.trainer.hpo.TrialState;

/**
 * A coordinator (a journaled study with a {@link SparkTrialExecutor} on embedded local[2]) killed
 * with SIGKILL while trials run, and started again on the same journal: it keeps every finished
 * trial and re-runs those that were running, with the same parameters. Real processes: child JVMs
 * on this test's class path, with the Spark flags of this test's own JVM.
 */
class SparkTrialRestartTest {
    private static final int TRIALS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process start(Path journal, Path log, String output) throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        String flags = System.getProperty("trainer.test.jvmFlags");
        assertTrue(flags != null && flags.contains("--add-opens"), "the build passes the Spark flags as trainer.test.jvmFlags");
        command.addAll(Arrays.asList(flags.strip().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SparkStudyMain.class.getName(),
                journal.toString(), log.toString(), Integer.toString(TRIALS)));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(output).toFile()).start();
    }

    private static List<JsonNode> events(Path journal, String kind) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(journal)) {
            return out;
        }
        for (String line : Files.readAllLines(journal)) {
            try {
                JsonNode e = JSON.readTree(line);
                if (kind.equals(e.path("event").asText())) {
                    out.add(e);
                }
            } catch (IOException torn) {
                // the last line may be half-written while the child runs
            }
        }
        return out;
    }

    private static Set<Integer> numbers(List<JsonNode> events) {
        Set<Integer> out = new TreeSet<>();
        events.forEach(e -> out.add(e.get("number").asInt()));
        return out;
    }

    /** The trials whose task has begun its work and which have not finished. */
    private static Set<Integer> runningTasks(Path journal, Path log) throws IOException {
        Set<Integer> out = new TreeSet<>(runs(log).keySet());
        out.removeAll(numbers(events(journal, "finish")));
        return out;
    }

    /** The runs each trial's objective began, by number: "x y" of each. */
    private static Map<Integer, List<String>> runs(Path log) throws IOException {
        Map<Integer, List<String>> runs = new HashMap<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                String[] f = line.split(" ");
                runs.computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>()).add(f[1] + " " + f[2]);
            }
        }
        return runs;
    }

    @Test
    void aKilledCoordinatorRestartedOnItsJournalKeepsFinishedTrialsAndReRunsTheRunningOnes() throws Exception {
        Path journal = dir.resolve("restart.jsonl");
        Path log = dir.resolve("runs.log");
        Process first = start(journal, log, "first.out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        // Kill once 3 trials finished and then a task begins its work: a task that has just begun is
        // certainly under way at the kill (one seen running earlier might be finishing as the kill comes).
        int begun = -1;
        while (true) {
            assertTrue(first.isAlive(), "the coordinator ended early: " + Files.readString(dir.resolve("first.out")));
            assertTrue(System.nanoTime() < deadline, "no progress in the coordinator: " + Files.readString(dir.resolve("first.out")));
            int runsNow = runs(log).values().stream().mapToInt(List::size).sum();
            if (begun < 0 && events(journal, "finish").size() >= 3) {
                begun = runsNow;
            } else if (begun >= 0 && runsNow > begun) {
                break;
            }
            Thread.sleep(5);
        }
        first.destroyForcibly(); // SIGKILL
        first.waitFor();
        Set<Integer> finishedAtKill = numbers(events(journal, "finish"));
        Set<Integer> runningAtKill = numbers(events(journal, "start"));
        runningAtKill.removeAll(finishedAtKill);
        assertFalse(runningAtKill.isEmpty());
        Set<Integer> interrupted = runningTasks(journal, log);
        assertFalse(interrupted.isEmpty(), "no trial's task was under way at the kill");
        assertTrue(finishedAtKill.size() < TRIALS);
        Map<Integer, List<String>> runsAtKill = runs(log);

        Process second = start(journal, log, "second.out");
        assertTrue(second.waitFor(90, TimeUnit.SECONDS), "the restarted coordinator did not finish");
        assertEquals(0, second.exitValue(), Files.readString(dir.resolve("second.out")));

        List<FrozenTrial> trials = Study.load(journal);
        assertEquals(TRIALS, trials.size());
        List<Integer> finishes = new ArrayList<>();
        events(journal, "finish").forEach(e -> finishes.add(e.get("number").asInt()));
        assertEquals(TRIALS, finishes.size(), "one finish per trial: " + finishes);
        assertEquals(TRIALS, new TreeSet<>(finishes).size(), "no trial finished twice: " + finishes);
        Map<Integer, List<String>> runs = runs(log);
        for (int i : interrupted) {
            assertEquals(2, runs.get(i).size(), "trial " + i + " was interrupted at the kill and runs again: " + runs.get(i));
        }
        for (int i = 0; i < TRIALS; i++) {
            FrozenTrial t = trials.get(i);
            assertEquals(i, t.number());
            assertEquals(TrialState.COMPLETE, t.state(), t.toString());
            assertEquals(SparkStudyMain.quadratic(t.params()), t.value(), 0.0, t.toString());
            List<String> r = runs.get(i);
            String params = t.params().get("x") + " " + t.params().get("y");
            assertTrue(r.stream().allMatch(params::equals), "trial " + i + " ran with other parameters: " + r);
            // A trial journaled as started may not have reached its task yet when the kill came.
            int before = runsAtKill.getOrDefault(i, List.of()).size();
            int expected = finishedAtKill.contains(i) ? before : before + 1;
            assertEquals(expected, r.size(), "runs of trial " + i + " (" + (finishedAtKill.contains(i) ? "finished"
                    : runningAtKill.contains(i) ? "running" : "not started") + " at the kill, " + before + " runs then): " + r);
        }
    }
}
