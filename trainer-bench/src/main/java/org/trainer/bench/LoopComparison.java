package org.trainer.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peer harness's full-loop comparison ({@code --only loop}): each {@link LoopWorkload} trained
 * for {@code epochs} epochs of {@code samples} samples, ours ({@link FullLoop}) and PyTorch's
 * ({@code full_loop} in peers.py, once keeping freed memory and once with glibc's default malloc),
 * each in a fresh process, so that every epoch 1 pays its own start-up and JIT warm-up. The three
 * runs of a workload follow each other before the next workload starts, so that drift in the
 * machine's load hits them alike.
 *
 * <p>Figures, per epoch in samples/s: <b>epoch 1</b>; <b>epochs 2-4</b>, the three epochs after a
 * one-epoch warm-up (3 x samples over their summed seconds); <b>steady</b>, the median of the epochs
 * from the second half of the run on (epochs 6-10 of 10, never before epoch 5). Ratios are ours /
 * peer, above 1 when ours is faster; <b>per CPU-s</b> is steady samples per CPU second of the process
 * (a figure that a shared machine distorts less than wall time). <b>loop/step</b> is our loop's time per step at steady state
 * over our bare step ({@link TrainingStep}, median of the repetitions, in the same JVM after the loop;
 * a median, as the steady figure is, so that a lucky repetition does not count as loop cost):
 * the per-step cost of everything outside forward, backward and update, plus the fresh batch; with
 * the heap bytes that our training thread allocated per step in those epochs.
 *
 * <p>With {@code rounds} above 1 every workload's three processes run again, round after round (each
 * round prints its own tables), and the targets are judged on the median over the rounds of the
 * epochs 2-4 ratio, each round's ratio taken against that round's faster PyTorch setting: on a
 * machine whose load drifts, one round's ratio can swing by a third.
 */
final class LoopComparison {
    private final int epochs;
    private final int samples;
    private final int rounds;
    private final PeerProcessCommand peer;

    /** How to start peers.py for one workload: the interpreter, the script and the malloc setting. */
    interface PeerProcessCommand {
        List<String> command(LoopWorkload w, int threads, int epochs, int samples, boolean defaultMalloc);
    }

    /** One process's run of one workload: samples/s of each epoch, cores busy, and the bare step (ours only). */
    record Run(String who, double[] perSecond, double[] cores, double[] bytesPerStep, double stepMs) {
        double epoch1() {
            return perSecond[0];
        }

        /** Epochs 2-4 as one span: 3 x samples over their summed seconds, i.e. the harmonic mean. */
        double epochs2to4() {
            if (perSecond.length < 4) {
                return Double.NaN;
            }
            return 3 / (1 / perSecond[1] + 1 / perSecond[2] + 1 / perSecond[3]);
        }

        /** The median of the epochs from max(5, E/2 + 1) on (1-based); NaN for fewer than 5 epochs. */
        double steady() {
            int from = Math.max(4, perSecond.length / 2);
            if (from >= perSecond.length) {
                return Double.NaN;
            }
            List<Double> tail = new ArrayList<>();
            for (int e = from; e < perSecond.length; e++) {
                tail.add(perSecond[e]);
            }
            return Stats.median(tail);
        }

        /**
         * The median over the steady epochs (as {@link #steady()}) of samples per CPU second of the
         * process: on a machine shared with other work, what the process did with the cores it got.
         */
        double steadyPerCpuSecond() {
            int from = Math.max(4, perSecond.length / 2);
            if (from >= perSecond.length) {
                return Double.NaN;
            }
            List<Double> tail = new ArrayList<>();
            for (int e = from; e < perSecond.length; e++) {
                tail.add(perSecond[e] / cores[e]);
            }
            return Stats.median(tail);
        }

        /** The median over the steady epochs (as {@link #steady()}) of the heap bytes allocated per step. */
        double steadyBytesPerStep() {
            int from = Math.max(4, perSecond.length / 2);
            if (from >= bytesPerStep.length) {
                return Double.NaN;
            }
            return Stats.median(java.util.Arrays.copyOfRange(bytesPerStep, from, bytesPerStep.length));
        }

        /** The median cores busy over all epochs. */
        double medianCores() {
            return Stats.median(cores);
        }
    }

    LoopComparison(int epochs, int samples, int rounds, PeerProcessCommand peer) {
        if (epochs < 1) {
            throw new IllegalArgumentException("LoopComparison: epochs must be >= 1, got " + epochs);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("LoopComparison: samples must be >= 1, got " + samples);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("LoopComparison: rounds must be >= 1, got " + rounds);
        }
        this.epochs = epochs;
        this.samples = samples;
        this.rounds = rounds;
        this.peer = peer;
    }

    /** Runs every workload at {@code threads} threads, {@code rounds} times, and prints the tables. */
    void run(int threads) throws IOException, InterruptedException {
        List<List<Run[]>> byRound = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Run[]> results = new ArrayList<>();
            for (LoopWorkload w : LoopWorkload.values()) {
                Run ours = parse("ours", PeerProcess.runOurs(ourCommand(w, threads)));
                progress(w, ours);
                Run kept = parse("torch, glibc keeping freed memory",
                        PeerProcess.run(peer.command(w, threads, epochs, samples, false)));
                progress(w, kept);
                Run plain = parse("torch, glibc default malloc",
                        PeerProcess.run(peer.command(w, threads, epochs, samples, true)));
                progress(w, plain);
                results.add(new Run[] {ours, kept, plain});
            }
            if (rounds > 1) {
                System.out.println();
                System.out.println("### Round " + round + " of " + rounds);
            }
            printSummary(threads, results);
            printEpochs(results);
            byRound.add(results);
        }
        printTargets(threads, byRound);
    }

    /** The java command line of a child JVM running {@link FullLoop}, with this JVM's options and class path. */
    private List<String> ourCommand(LoopWorkload w, int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(jvm);
        if (jvm.stream().noneMatch(a -> a.contains("jdk.incubator.vector"))) {
            cmd.add("--add-modules=jdk.incubator.vector");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FullLoop.class.getName(), w.workload(),
                "--epochs", String.valueOf(epochs), "--threads", String.valueOf(threads),
                "--samples", String.valueOf(samples)));
        return cmd;
    }

    private Run parse(String who, List<PeerProcess.Line> lines) {
        List<Double> rate = new ArrayList<>();
        List<Double> cores = new ArrayList<>();
        List<Double> bytes = new ArrayList<>();
        double step = Double.NaN;
        for (PeerProcess.Line line : lines) {
            switch (line.get("kind")) {
                case "epoch" -> {
                    rate.add(line.number("samples_per_s"));
                    cores.add(line.number("cores"));
                    bytes.add(line.fields().containsKey("bytes_per_step") ? line.number("bytes_per_step") : Double.NaN);
                }
                case "step" -> step = line.number("median");
                default -> {
                    // the peer's info line
                }
            }
        }
        if (rate.size() != epochs) {
            throw new IllegalStateException("LoopComparison: " + who + " printed " + rate.size() + " epochs, expected "
                    + epochs);
        }
        return new Run(who, rate.stream().mapToDouble(Double::doubleValue).toArray(),
                cores.stream().mapToDouble(Double::doubleValue).toArray(),
                bytes.stream().mapToDouble(Double::doubleValue).toArray(), step);
    }

    private static void progress(LoopWorkload w, Run r) {
        System.err.printf(Locale.ROOT, "%-22s %-36s epoch 1 %8.0f, epochs 2-4 %8.0f, steady %8.0f samples/s%n",
                w.workload(), r.who, r.epoch1(), r.epochs2to4(), r.steady());
    }

    private void printSummary(int threads, List<Run[]> results) {
        System.out.println();
        System.out.println("## Full training loop, " + threads + " thread(s), " + samples + " samples an epoch, "
                + epochs + " epochs, samples/s (ratio = ours / that peer)");
        System.out.println();
        System.out.println("| workload | who | epoch 1 | epochs 2-4 | steady | ratio epoch 1 | ratio 2-4 | ratio steady"
                + " | cores | steady per CPU-s | ratio per CPU-s |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        LoopWorkload[] ws = LoopWorkload.values();
        for (int i = 0; i < ws.length; i++) {
            Run ours = results.get(i)[0];
            for (Run r : results.get(i)) {
                boolean self = r == ours;
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %s | %s | %s | %.2f | %.0f | %s |%n",
                        ws[i].workload(), r.who, r.epoch1(), r.epochs2to4(), r.steady(),
                        self ? "" : ratio(ours.epoch1(), r.epoch1()), self ? "" : ratio(ours.epochs2to4(), r.epochs2to4()),
                        self ? "" : ratio(ours.steady(), r.steady()), r.medianCores(), r.steadyPerCpuSecond(),
                        self ? "" : ratio(ours.steadyPerCpuSecond(), r.steadyPerCpuSecond()));
            }
        }
        System.out.println();
        System.out.println("| workload | our loop, ms/step (steady) | our bare step, ms (median) | loop / step"
                + " | heap bytes/step in the loop (steady) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int i = 0; i < ws.length; i++) {
            Run ours = results.get(i)[0];
            double loopMs = 1e3 * ws[i].batch / ours.steady();
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.0f |%n", ws[i].workload(), loopMs, ours.stepMs,
                    loopMs / ours.stepMs, ours.steadyBytesPerStep());
        }
        System.out.println();
    }

    private void printEpochs(List<Run[]> results) {
        StringBuilder head = new StringBuilder("| workload | who |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int e = 1; e <= epochs; e++) {
            head.append(" ").append(e).append(" |");
            rule.append("---:|");
        }
        System.out.println("Per epoch, samples/s:");
        System.out.println();
        System.out.println(head);
        System.out.println(rule);
        LoopWorkload[] ws = LoopWorkload.values();
        for (int i = 0; i < ws.length; i++) {
            for (Run r : results.get(i)) {
                StringBuilder row = new StringBuilder("| " + ws[i].workload() + " | " + r.who + " |");
                for (double v : r.perSecond) {
                    row.append(String.format(Locale.ROOT, " %.0f |", v));
                }
                System.out.println(row);
            }
        }
        System.out.println();
    }

    /**
     * Issue 23's targets: epochs 2-4 at least PyTorch at its best (the faster of its two malloc
     * settings), judged on the median over the rounds of each round's ratio.
     */
    private static void printTargets(int threads, List<List<Run[]>> byRound) {
        LoopWorkload[] ws = LoopWorkload.values();
        for (int i = 0; i < ws.length; i++) {
            double[] ratios = new double[byRound.size()];
            for (int round = 0; round < ratios.length; round++) {
                Run[] r = byRound.get(round).get(i);
                ratios[round] = r[0].epochs2to4() / Math.max(r[1].epochs2to4(), r[2].epochs2to4());
            }
            double ratio = Stats.median(ratios);
            StringBuilder each = new StringBuilder();
            if (ratios.length > 1) {
                each.append(" (median of ").append(ratios.length).append(" rounds:");
                for (double x : ratios) {
                    each.append(String.format(Locale.ROOT, " %.2f", x));
                }
                each.append(")");
            }
            System.out.printf(Locale.ROOT, "target: %s, %d thread(s), epochs 2-4, ours >= 1.0x PyTorch at its best:"
                    + " %.2fx%s: %s%n", ws[i].workload(), threads, ratio, each, ratio >= 1.0 ? "PASS" : "FAIL");
        }
    }

    private static String ratio(double ours, double peer) {
        return Double.isNaN(ours) || Double.isNaN(peer) ? "n/a" : String.format(Locale.ROOT, "%.2f", ours / peer);
    }
}
