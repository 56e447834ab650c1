package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several studies of one JVM on one shared journal: the in-process half of the locking (a JVM's
 * file lock cannot keep its own threads apart), the study-wide trial count, samplers and pruners
 * that see the other workers' trials, torn-line repair and re-running a dead worker's trial.
 */
class SharedJournalTest {
    @TempDir
    Path dir;

    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("x", FloatRange.linear(-2, 2))
            .add("n", IntRange.linear(1, 5))
            .build();

    private static Study.Builder builder(Path file) {
        return Study.builder().name("shared").direction(Direction.MINIMIZE).space(SPACE).seed(3).sharedJournal(file);
    }

    private static double objective(Trial t) {
        double x = (Double) t.params().get("x");
        return x * x + (Integer) t.params().get("n");
    }

    @Test
    void threeStudiesOnOneJournalRunTheRequestedTotalWithEachTrialOnce() throws Exception {
        Path file = dir.resolve("s.jsonl");
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                done.add(workers.submit(() -> {
                    try (Study s = builder(file).build()) {
                        s.optimize(t -> {
                            runs.computeIfAbsent(t.number(), k -> new AtomicInteger()).incrementAndGet();
                            Thread.sleep(2);
                            return objective(t);
                        }, 24, 2);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        List<FrozenTrial> trials = Study.load(file);
        assertEquals(24, trials.size(), "maxTrials is the study's total, not each worker's");
        for (int i = 0; i < 24; i++) {
            FrozenTrial t = trials.get(i);
            assertEquals(i, t.number());
            assertEquals(TrialState.COMPLETE, t.state());
            assertEquals(1, runs.get(i).get(), "trial " + i + " ran " + runs.get(i) + " times");
            assertEquals(objective(t.params()), t.value());
        }
        try (Study s = builder(file).build()) {
            assertEquals(trials, s.trials(), "a worker joining later reads the same study");
        }
        assertEquals(List.of(), listWorkers(), "every worker removed its lock file on close");
    }

    private static double objective(Map<String, Object> p) {
        double x = (Double) p.get("x");
        return x * x + (Integer) p.get("n");
    }

    private List<Path> listWorkers() throws IOException {
        try (var files = Files.list(Study.workersDir(dir.resolve("s.jsonl")))) {
            return files.toList();
        }
    }

    @Test
    void aSamplerSeesTheTrialsAnotherWorkerFinished() {
        Path file = dir.resolve("s.jsonl");
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        Sampler counting = (space, trials, direction, seed) -> {
            seen.add((int) trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count());
            return new RandomSampler().sample(space, trials, direction, seed);
        };
        try (Study a = builder(file).build(); Study b = builder(file).sampler(counting).build()) {
            a.optimize(SharedJournalTest::objective, 3);
            Trial t = b.ask();
            assertEquals(3, t.number(), "b numbers after a's trials");
            assertEquals(List.of(3), seen, "b's sampler saw a's three COMPLETE trials");
            b.tell(t, 1.0);
            assertEquals(4, a.trials().size(), "a reads b's trial too");
            assertEquals(TrialState.COMPLETE, a.trials().get(3).state());
        }
    }

    @Test
    void aPrunerSeesTheIntermediateValuesOfAnotherWorker() {
        Path file = dir.resolve("s.jsonl");
        List<Map<Integer, Map<Integer, Double>>> seen = new ArrayList<>();
        Pruner recording = (trials, trial, direction) -> {
            Map<Integer, Map<Integer, Double>> m = new java.util.TreeMap<>();
            trials.forEach(t -> m.put(t.number(), t.intermediate()));
            seen.add(m);
            return false;
        };
        try (Study a = builder(file).pruner(recording).build(); Study b = builder(file).pruner(recording).build()) {
            Trial ta = a.ask();
            Trial tb = b.ask();
            assertNotEquals(ta.number(), tb.number());
            ta.report(1, 7.0);
            ta.report(2, 6.0);
            tb.report(1, 9.0);
            assertFalse(tb.shouldPrune());
            assertEquals(Map.of(ta.number(), Map.of(1, 7.0, 2, 6.0), tb.number(), Map.of(1, 9.0)), seen.get(0),
                    "b's pruner saw a's running trial's reports");
        }
    }

    @Test
    void aTornLastLineIsCutOffByTheNextWriterWithoutLosingRecords() throws IOException {
        Path file = dir.resolve("s.jsonl");
        try (Study a = builder(file).build()) {
            a.optimize(SharedJournalTest::objective, 2);
            // a worker killed in the middle of its write leaves half a line
            Files.write(file, "{\"event\":\"report\",\"number\":1,\"st".getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.APPEND);
            assertEquals(2, Study.load(file).size(), "a reader skips the torn line");
            try (Study b = builder(file).build()) {
                assertEquals(2, b.finishedCount());
                b.optimize(SharedJournalTest::objective, 4);
            }
            assertEquals(4, a.trials().size());
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(1 + 2 * 4, lines.size(), "the study line and a start and a finish per trial");
        for (String line : lines) {
            assertTrue(line.startsWith("{\"event\":") && line.endsWith("}"), line);
        }
        assertTrue(Study.load(file).stream().allMatch(t -> t.state() == TrialState.COMPLETE));
    }

    @Test
    void aClosedWorkersRunningTrialIsReRunWithItsParametersAndALiveOnesIsNot() throws Exception {
        Path file = dir.resolve("s.jsonl");
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        try (Study alive = builder(file).build(); Study other = builder(file).build()) {
            Trial held = alive.ask();
            assertEquals(0, held.number());
            Map<String, Object> lost;
            try (Study gone = builder(file).build()) {
                Trial t = gone.ask();
                assertEquals(1, t.number());
                t.report(1, 3.0);
                lost = t.params();
            } // its worker lock is released, as when its process is killed
            CountDownLatch reRan = new CountDownLatch(1);
            Thread worker = new Thread(() -> other.optimize(t -> {
                ran.add(t.number());
                if (t.number() == 1) {
                    assertEquals(lost, t.params());
                    reRan.countDown();
                }
                return objective(t);
            }, 3));
            worker.start();
            assertTrue(reRan.await(30, TimeUnit.SECONDS), "trial 1 was not re-run");
            // other runs 1 and 2, then waits for trial 0, which a live worker holds
            Thread.sleep(3 * Study.POLL_MILLIS);
            assertTrue(worker.isAlive(), "other waits while a live worker's trial runs");
            alive.tell(held, objective(held));
            worker.join(30_000);
            assertFalse(worker.isAlive());
            List<FrozenTrial> trials = Study.load(file);
            assertEquals(3, trials.size());
            assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), trials.toString());
            assertEquals(lost, trials.get(1).params());
            assertEquals(Map.of(), trials.get(1).intermediate(), "the dead run's report was dropped");
        }
        assertEquals(List.of(1, 2), ran);
    }

    @Test
    void aLateWriteOfAWorkerDeclaredDeadIsIgnored() throws IOException {
        Path file = dir.resolve("s.jsonl");
        String ghost;
        try (Study s = builder(file).build()) {
            Trial t = s.ask();
            ghost = s.workerId().orElseThrow();
            s.close(); // declared dead from now on
            try (Study next = builder(file).build()) {
                Trial again = next.ask();
                assertEquals(t.number(), again.number());
                Files.write(file, ("{\"event\":\"finish\",\"number\":0,\"state\":\"COMPLETE\",\"value\":-99.0,"
                        + "\"params\":{},\"distributions\":{},\"worker\":\"" + ghost + "\"}\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.APPEND);
                assertEquals(TrialState.RUNNING, next.trials().get(0).state(), "the ghost's finish is not the re-run's");
                next.tell(again, 1.5);
            }
        }
        assertEquals(1.5, Study.load(file).get(0).value());
    }

    @Test
    void aTrialTakenOverWhileItRanIsLeftToItsNewOwnerAndOptimizeGoesOn() throws IOException {
        Path file = dir.resolve("s.jsonl");
        List<Integer> ran = new ArrayList<>();
        try (Study s = builder(file).build()) {
            s.optimize(t -> {
                ran.add(t.number());
                if (ran.size() == 1) {
                    // another process declares this worker dead and restarts the trial (a lock lost
                    // on a network file system); this JVM holds no lock on the file right now
                    String start = Files.readAllLines(file).stream().filter(l -> l.startsWith("{\"event\":\"start\""))
                            .findFirst().orElseThrow();
                    String stolen = start.replaceAll("\"worker\":\"[a-z0-9]+\"", "\"worker\":\"thief\"");
                    assertNotEquals(start, stolen);
                    Files.write(file, (stolen + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.report(1, 1.0));
                    assertTrue(e.getMessage().contains("is run by worker thief now"), e.getMessage());
                }
                return objective(t);
            }, 2);
            // the thief never held a lock file, so it is dead too: the trial came back and ran again,
            // before the new trial 1 (a dead worker's trials are claimed first)
            assertEquals(List.of(0, 0, 1), ran);
            List<FrozenTrial> trials = s.trials();
            assertEquals(2, trials.size());
            assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), trials.toString());
        }
    }

    @Test
    void anExclusiveAndASharedOpenOfOneJournalInThisProcessAreRefused() {
        Path file = dir.resolve("s.jsonl");
        try (Study s = builder(file).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Study.builder().name("shared").direction(Direction.MINIMIZE).space(SPACE).seed(3).journal(file).build());
            assertTrue(e.getMessage().contains("open as a shared journal"), e.getMessage());
            s.optimize(SharedJournalTest::objective, 1);
        }
        try (Study s = Study.builder().name("shared").direction(Direction.MINIMIZE).space(SPACE).seed(3).journal(file).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder(file).build());
            assertTrue(e.getMessage().contains("open for writing by a study of this process"), e.getMessage());
            s.optimize(SharedJournalTest::objective, 2);
        }
        assertEquals(2, Study.load(file).size());
    }

    @Test
    void anotherStudysSharedJournalIsRefusedAndTheWorkerLeavesNoLockBehind() throws IOException {
        Path file = dir.resolve("s.jsonl");
        builder(file).build().close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(file).seed(4).build());
        assertTrue(e.getMessage().endsWith("holds a study with seed 3, got 4"), e.getMessage());
        assertEquals(List.of(), listWorkers());
        try (Study s = builder(file).build()) {
            s.optimize(SharedJournalTest::objective, 1);
        }
    }
}
