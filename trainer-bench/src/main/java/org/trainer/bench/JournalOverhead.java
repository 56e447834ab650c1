package org.trainer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.trainer.hpo.Direction;
import org.trainer.hpo.RandomSampler;
import org.trainer.hpo.Study;
import org.trainer.hpo.Trial;
import org.trainer.hpo.TrialState;

/**
 * The study's coordination cost per trial against Optuna's: {@code study.optimize} over trials
 * whose objective only suggests three parameters (two floats, one int) and returns a quadratic,
 * so the time per trial is the sampler's proposal, the journal's reads and appends (each forced
 * to disk) and the dispatch to the trial thread. Ours: a RandomSampler, define-by-run, with a
 * shared journal ({@code Study.Builder.sharedJournal}: file lock, read of the others' lines,
 * append) and with an exclusive one ({@code journal}). The peer: {@code peer/journal_overhead.py},
 * Optuna 3.1's JournalFileStorage with its RandomSampler, run by {@code /usr/bin/python3} from
 * this program, so both sides are measured in the same session and in the same directory.
 *
 * <p>Each side runs {@code --reps} studies of {@code --trials} trials, each in a fresh journal;
 * the table gives the median repetition and the ratio Optuna / ours (above 1: ours is cheaper).
 * The three kinds of study take turns (repetition r starts with the r-th kind), so that a slow
 * spell of a shared disk falls on all of them alike. Ours is warmed up first with one untimed
 * study (the JIT); the peer's start and import are not timed.
 *
 * <p>Options: {@code --trials N} (1000), {@code --reps R} (5), {@code --dir PATH} (a temporary
 * directory; put it on the file system the workers would share), {@code --python PATH},
 * {@code --script PATH}, {@code --no-peer}.
 *
 * <p>Prints progress per repetition on stderr, then a Markdown table and every repetition's
 * figures on stdout.
 */
public final class JournalOverhead {
    private JournalOverhead() {
    }

    private static double objective(Trial t) {
        double x = t.suggestFloat("x", -5, 5);
        double y = t.suggestFloat("y", -5, 5);
        int k = t.suggestInt("k", 0, 4);
        return x * x + y * y + k;
    }

    /** Runs one study of {@code trials} trials in a fresh journal and returns its milliseconds per trial. */
    private static double ours(Path journal, boolean shared, int trials, long seed) {
        Study.Builder b = Study.builder().name("overhead").direction(Direction.MINIMIZE).sampler(new RandomSampler()).seed(seed);
        if (shared) {
            b.sharedJournal(journal);
        } else {
            b.journal(journal);
        }
        long start = System.nanoTime();
        try (Study s = b.build()) {
            s.optimize(JournalOverhead::objective, trials);
            long complete = s.trials().stream().filter(t -> t.state() == TrialState.COMPLETE).count();
            if (complete != trials) {
                throw new IllegalStateException("JournalOverhead: " + complete + " of " + trials + " trials COMPLETE in " + journal);
            }
        }
        return (System.nanoTime() - start) / 1e6 / trials;
    }


    public static void main(String[] args) throws Exception {
        int trials = 1000;
        int reps = 5;
        Path dir = null;
        String python = "/usr/bin/python3";
        String script = "trainer-bench/peer/journal_overhead.py";
        boolean peer = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--python" -> python = args[++i];
                case "--script" -> script = args[++i];
                case "--no-peer" -> peer = false;
                default -> throw new IllegalArgumentException("JournalOverhead: unknown option '" + args[i]
                        + "'; expected --trials N, --reps R, --dir PATH, --python PATH, --script PATH or --no-peer");
            }
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("journal-overhead");
        } else {
            Files.createDirectories(dir);
        }
        try {
            ours(dir.resolve("warmup.jsonl"), true, Math.min(trials, 300), -1);
            List<Double> shared = new ArrayList<>();
            List<Double> exclusive = new ArrayList<>();
            List<Double> optuna = new ArrayList<>();
            String version = "not run";
            int kinds = peer ? 3 : 2;
            for (int r = 0; r < reps; r++) {
                for (int i = 0; i < kinds; i++) {
                    switch ((r + i) % kinds) {
                        case 0 -> shared.add(ours(dir.resolve("shared-" + r + ".jsonl"), true, trials, r));
                        case 1 -> exclusive.add(ours(dir.resolve("exclusive-" + r + ".jsonl"), false, trials, r));
                        default -> {
                            Path repDir = Files.createDirectories(dir.resolve("optuna-" + r));
                            for (PeerProcess.Line line : PeerProcess.run(List.of(python, script, "--trials",
                                    Integer.toString(trials), "--reps", "1", "--dir", repDir.toString()))) {
                                if ("info".equals(line.get("kind"))) {
                                    version = line.get("optuna");
                                } else if ("result".equals(line.get("kind"))) {
                                    optuna.add(line.number("ms_per_trial"));
                                }
                            }
                        }
                    }
                }
                System.err.printf(Locale.ROOT, "rep %d: shared %.3f, exclusive %.3f, Optuna %s ms/trial%n", r,
                        shared.get(r), exclusive.get(r), peer ? String.format(Locale.ROOT, "%.3f", optuna.get(r)) : "-");
            }
            System.out.printf(Locale.ROOT, "%d trials per study, median of %d studies, journals in %s%n%n", trials, reps, dir);
            System.out.println("| coordinator | ms per trial | Optuna / this |");
            System.out.println("|---|---|---|");
            double peerMedian = optuna.isEmpty() ? Double.NaN : Stats.median(optuna);
            row("ours, shared journal (Study.Builder.sharedJournal)", Stats.median(shared), peerMedian);
            row("ours, exclusive journal (Study.Builder.journal)", Stats.median(exclusive), peerMedian);
            if (!optuna.isEmpty()) {
                row("Optuna " + version + ", JournalFileStorage", peerMedian, peerMedian);
            }
            System.out.println();
            System.out.println("all repetitions (ms per trial): shared " + fmt(shared) + ", exclusive " + fmt(exclusive)
                    + ", Optuna " + fmt(optuna));
            if (!optuna.isEmpty()) {
                // paired by repetition: the three ran back to back, on the same state of the disk
                List<Double> pairedShared = new ArrayList<>();
                List<Double> pairedExclusive = new ArrayList<>();
                for (int r = 0; r < reps; r++) {
                    pairedShared.add(optuna.get(r) / shared.get(r));
                    pairedExclusive.add(optuna.get(r) / exclusive.get(r));
                }
                System.out.println("Optuna / this, per repetition: shared " + fmt(pairedShared) + ", exclusive "
                        + fmt(pairedExclusive));
            }
        } finally {
            if (temporary) {
                delete(dir);
            }
        }
    }

    private static void row(String what, double ms, double peerMs) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %s |%n", what, ms,
                Double.isNaN(peerMs) ? "-" : String.format(Locale.ROOT, "%.2f", peerMs / ms));
    }

    private static String fmt(List<Double> xs) {
        return Arrays.toString(xs.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toArray());
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JournalOverhead: cannot delete " + dir, e);
        }
    }
}
