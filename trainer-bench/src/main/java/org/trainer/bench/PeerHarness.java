package org.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.backend.cpu.Sgemm;

/**
 * Side-by-side speed of our CPU backend and its peers on the same workloads and thread counts:
 * SGEMM (square 128 to 1024, and the first-layer products of an MLP at batch 64 and 256) against
 * numpy/OpenBLAS and PyTorch, conv2d forward+backward ({@link ConvLayer}) and whole training steps of the
 * Fashion-MNIST MLP and CNN ({@link TrainingStep}) and of a character-level LSTM and a Transformer
 * encoder ({@link SequenceStep}) against PyTorch. Ours
 * is timed in this JVM, the peers by {@code trainer-bench/peer/peers.py} in a child process, both
 * with the same procedure ({@link Timing}); the table compares the best repetitions.
 *
 * <p>Run it with {@code trainer-bench/peer/run.sh}, which builds the jar first. Options:
 * {@code --threads 1,2}, {@code --reps 7}, {@code --min-time 0.2} (seconds per repetition),
 * {@code --warmup 1.0} (seconds per workload), {@code --only gemm|conv|train|seq|loop}, {@code --default-malloc}
 * (torch with glibc's default malloc, see {@code keep_freed_memory} in peers.py),
 * {@code --python PATH}, {@code --script PATH} (relative to the working directory, normally the
 * repository root), and for the full training loops ({@link LoopComparison}: ours and PyTorch's,
 * each workload in fresh processes, per-epoch samples/s) {@code --epochs 10} and {@code --samples 30000}.
 *
 * <p>This is a harness that prints numbers for a person to read, not a test: nothing fails when a
 * target is missed.
 */
public final class PeerHarness {
    private static final int[] SQUARE_SIZES = {128, 256, 512, 1024};
    /** {m, k, n}: [m, k] x [k, n], the first layer of a 784-512-... MLP at batch 64 and 256. */
    private static final int[][] MLP_SHAPES = {{64, 784, 512}, {256, 784, 512}};
    /** The training steps timed against PyTorch: model and batch size, as peers.py's TRAINING. */
    private static final Object[][] TRAINING = {{TrainingModels.MLP, 64}, {TrainingModels.MLP, 256},
        {TrainingModels.CNN, 64}};
    private static final String GFLOPS = "GFLOP/s";
    private static final String TOKENS = "tokens/s";
    private static final String MS = "ms";

    private final Options options;
    private final Timing timing;
    /** Our results by {@link #key(String, int)}. */
    private final Map<String, Measurement> ours = new LinkedHashMap<>();

    private PeerHarness(Options options) {
        this.options = options;
        this.timing = new Timing(options.reps, options.minTime, options.warmup);
    }

    /**
     * One timed workload; {@code unit} says whether bigger (GFLOP/s) or smaller (ms) is better;
     * {@code cores} is how many cores the process kept busy in the best repetition.
     */
    record Measurement(String workload, int threads, String who, String unit, double best, double median,
                       double cores) {
        /** ours / peer as throughput, so that above 1 means we are faster whatever the unit. */
        double speedupOver(Measurement peer) {
            return higherIsBetter() ? best / peer.best : peer.best / best;
        }

        boolean higherIsBetter() {
            return unit.equals(GFLOPS) || unit.equals(TOKENS);
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        new PeerHarness(Options.parse(args)).run();
    }

    private void run() throws IOException, InterruptedException {
        System.out.println("# Peer harness, " + LocalDate.now() + ", " + cpuModel() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version());
        System.out.println("# ours: SGEMM kernel " + Sgemm.kernelName());
        System.out.println("# load average before: " + loadAverage());
        if (!options.onlyLoop()) {
            measureAndCompare();
        }
        if (options.loop()) {
            LoopComparison loops = new LoopComparison(options.epochs, options.samples, options.rounds,
                    this::loopPeerCommand);
            for (int threads : options.loopThreads()) {
                loops.run(threads);
            }
            System.out.println("# load average after the loops: " + loadAverage());
        }
    }

    /** The step-level workloads: ours in this JVM, then the peers in one child process, then the table. */
    private void measureAndCompare() throws IOException, InterruptedException {
        for (int threads : options.threads) {
            Parallel.setThreads(threads);
            if (options.gemm()) {
                measureGemms(threads);
            }
            if (options.conv()) {
                measureConvs(threads);
            }
            if (options.train()) {
                measureTraining(threads);
            }
            if (options.seq()) {
                measureSequences(threads);
            }
        }
        System.out.println("# running " + String.join(" ", peerCommand()));
        List<PeerProcess.Line> lines = PeerProcess.run(peerCommand());
        System.out.println("# load average after: " + loadAverage());
        printTable(lines);
        printTargets(lines);
    }

    // ---------------------------------------------------------------- our workloads

    private void measureGemms(int threads) {
        for (int size : SQUARE_SIZES) {
            measureGemm("sgemm " + size, threads, size, size, size);
        }
        for (int[] s : MLP_SHAPES) {
            measureGemm("mlp [" + s[0] + "x" + s[1] + "]x[" + s[1] + "x" + s[2] + "]", threads, s[0], s[2], s[1]);
        }
    }

    /** C[m, n] = A[m, k] B[k, n] on row-major arrays, straight through the GEMM entry point. */
    private void measureGemm(String workload, int threads, int m, int n, int k) {
        float[] a = Tensor.randn(m, m, k).toFloatArray();
        float[] b = Tensor.randn(n, k, n).toFloatArray();
        float[] c = new float[m * n];
        Timing.Result r = timing.measure(() -> Sgemm.gemm(false, false, m, n, k, a, 0, b, 0, c, 0, false));
        double flops = 2.0 * m * n * k;
        record(new Measurement(workload, threads, "ours", GFLOPS, r.bestGflops(flops), r.medianGflops(flops),
                r.bestCores()));
    }

    private void measureConvs(int threads) {
        for (ConvLayer layer : ConvLayer.values()) {
            ConvLayer.Step step = layer.newStep(42);
            Timing.Result r = timing.measure(step::run);
            record(new Measurement(layer.workload(), threads, "ours", MS, r.best() * 1e3, r.median() * 1e3,
                    r.bestCores()));
        }
    }

    /** One training step of the Fashion-MNIST MLP (batch 64, 256) and CNN (batch 64): {@link TrainingStep}. */
    private void measureTraining(int threads) {
        for (Object[] w : TRAINING) {
            TrainingModels model = (TrainingModels) w[0];
            int batch = (Integer) w[1];
            TrainingStep step = new TrainingStep(model, batch, 42);
            Timing.Result r = timing.measure(step::run);
            record(new Measurement("train " + model.name().toLowerCase(Locale.ROOT) + " b" + batch, threads, "ours",
                    MS, r.best() * 1e3, r.median() * 1e3, r.bestCores()));
        }
    }

    /**
     * The character-level LSTM language model (tokens/s) and two Transformer encoder layers (ms) of
     * {@link SequenceStep}, with ReLU and with GELU: forward, loss, backward, Adam.
     */
    private void measureSequences(int threads) {
        SequenceStep lstm = new SequenceStep.CharLstm(42);
        Timing.Result r = timing.measure(lstm::run);
        double tokens = SequenceStep.CharLstm.tokens();
        record(new Measurement("char-lstm h256 T64 b32", threads, "ours", TOKENS, tokens / r.best(),
                tokens / r.median(), r.bestCores()));
        for (boolean gelu : new boolean[] {false, true}) {
            SequenceStep transformer = new SequenceStep.Transformer(42, gelu);
            r = timing.measure(transformer::run);
            record(new Measurement(gelu ? "transformer gelu d128 x2 T64 b32" : "transformer d128 x2 T64 b32", threads,
                    "ours", MS, r.best() * 1e3, r.median() * 1e3, r.bestCores()));
        }
    }

    private void record(Measurement m) {
        ours.put(key(m.workload, m.threads), m);
        // Progress on stderr, so that stdout is only the report.
        System.err.printf(Locale.ROOT, "ours  %-26s %d thread(s): best %9.2f %s, median %9.2f, %.2f cores busy%n",
                m.workload, m.threads, m.best, m.unit, m.median, m.cores);
    }

    private static String key(String workload, int threads) {
        return workload + "@" + threads;
    }

    // ---------------------------------------------------------------- the peers

    private List<String> peerCommand() {
        List<String> cmd = new ArrayList<>(List.of(options.python, options.script,
                "--threads", options.threadsText(),
                "--reps", String.valueOf(options.reps),
                "--min-time", String.valueOf(options.minTime),
                "--warmup", String.valueOf(options.warmup)));
        if (options.only != null) {
            cmd.add("--only");
            cmd.add(options.only);
        }
        if (options.defaultMalloc) {
            cmd.add("--default-malloc");
        }
        return cmd;
    }

    /** peers.py's full loop of one workload ({@link LoopComparison}), with this run's interpreter and script. */
    private List<String> loopPeerCommand(LoopWorkload w, int threads, int epochs, int samples, boolean defaultMalloc) {
        List<String> cmd = new ArrayList<>(List.of(options.python, options.script, "--loop", w.workload(),
                "--threads", String.valueOf(threads), "--epochs", String.valueOf(epochs),
                "--samples", String.valueOf(samples)));
        if (defaultMalloc) {
            cmd.add("--default-malloc");
        }
        return cmd;
    }

    private static Measurement peerMeasurement(PeerProcess.Line line) {
        return new Measurement(line.get("workload"), (int) line.number("threads"), line.get("peer"), line.get("unit"),
                line.number("best"), line.number("median"), line.number("cores"));
    }

    // ---------------------------------------------------------------- report

    private void printTable(List<PeerProcess.Line> lines) {
        for (PeerProcess.Line line : lines) {
            if (line.get("kind").equals("info")) {
                System.out.println("# peer: torch " + line.get("torch") + ", numpy " + line.get("numpy") + ", "
                        + line.get("blas") + " " + line.get("blas_version") + " kernel " + line.get("architecture")
                        + " (" + line.get("threading") + ", " + line.get("filepath") + "), oneDNN "
                        + line.get("mkldnn") + ", malloc: " + line.get("malloc"));
            }
        }
        System.out.println("# best of " + options.reps + " repetitions of >= " + options.minTime
                + " s each; ratio = ours / peer as throughput (> 1: ours is faster);");
        System.out.println("# cores = cores each process kept busy in its best repetition (CPU s / wall s)");
        System.out.println();
        System.out.println("| workload | threads | unit | ours | peer | ratio | cores ours/peer |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|");
        for (PeerProcess.Line line : lines) {
            if (!line.get("kind").equals("result")) {
                continue;
            }
            Measurement peer = peerMeasurement(line);
            Measurement mine = ours.get(key(peer.workload, peer.threads));
            if (mine == null) {
                continue;
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %.1f | %.1f (%s) | %.2f | %.2f/%.2f |%n",
                    peer.workload, peer.threads, peer.unit, mine.best, peer.best, peer.who, mine.speedupOver(peer),
                    mine.cores, peer.cores);
        }
        System.out.println();
    }

    /** The acceptance targets of the performance issue, checked against this run. */
    private void printTargets(List<PeerProcess.Line> lines) {
        Measurement one = ours.get(key("sgemm 1024", 1));
        Measurement two = ours.get(key("sgemm 1024", 2));
        if (one != null && two != null) {
            double scaling = two.best / one.best;
            System.out.printf(Locale.ROOT, "ours: SGEMM 1024 2-thread / 1-thread = %.1f / %.1f GFLOP/s = %.2fx "
                    + "(median %.2fx); target >= 1.8x: %s%n", two.best, one.best, scaling, two.median / one.median,
                    verdict(scaling >= 1.8));
        }
        for (PeerProcess.Line line : lines) {
            if (!line.get("kind").equals("result")) {
                continue;
            }
            Measurement peer = peerMeasurement(line);
            Measurement mine = ours.get(key(peer.workload, peer.threads));
            if (mine == null) {
                continue;
            }
            if (peer.workload.equals("sgemm 1024") && peer.threads == 1 && peer.who.equals("numpy")) {
                double ratio = mine.speedupOver(peer);
                System.out.printf(Locale.ROOT, "target: SGEMM 1024, 1 thread, ours >= 0.5x OpenBLAS: %.2fx: %s%n",
                        ratio, verdict(ratio >= 0.5));
            } else if (peer.workload.startsWith("char-lstm") || peer.workload.startsWith("transformer")) {
                double target = peer.workload.startsWith("char-lstm") ? 1.0 : 0.8;
                double ratio = mine.speedupOver(peer);
                System.out.printf(Locale.ROOT, "target: %s, %d thread(s), ours >= %.1fx PyTorch: %.2fx: %s%n",
                        peer.workload, peer.threads, target, ratio, verdict(ratio >= target));
            } else if (peer.unit.equals(MS)) {
                // MLP training steps should match PyTorch; convolutions (alone or in the CNN) reach half.
                double target = peer.workload.startsWith("train mlp") ? 1.0 : 0.5;
                double ratio = mine.speedupOver(peer);
                System.out.printf(Locale.ROOT, "target: %s, %d thread(s), ours >= %.1fx PyTorch: %.2fx: %s%n",
                        peer.workload, peer.threads, target, ratio, verdict(ratio >= target));
            }
        }
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    /** The 1, 5 and 15 minute load averages (Linux): how busy the rest of the machine was. */
    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The CPU's name from /proc/cpuinfo (Linux), else the architecture. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through to the architecture.
        }
        return System.getProperty("os.arch");
    }

    /** Command-line options, with the defaults the README's results use. */
    private static final class Options {
        int[] threads = {1, 2};
        /** Whether --threads was given: the loops then run at those counts, else at 2 threads only. */
        boolean threadsGiven;
        int reps = 7;
        int epochs = 10;
        int samples = 30_000;
        /** Rounds of the full loops: each workload's three processes again, for a median over rounds. */
        int rounds = 1;
        double minTime = 0.2;
        double warmup = 1.0;
        String only;
        boolean defaultMalloc;
        String python = "/usr/bin/python3";
        String script = "trainer-bench/peer/peers.py";

        boolean gemm() {
            return only == null || only.equals("gemm");
        }

        boolean conv() {
            return only == null || only.equals("conv");
        }

        boolean train() {
            return only == null || only.equals("train");
        }

        boolean seq() {
            return only == null || only.equals("seq");
        }

        boolean loop() {
            return only == null || only.equals("loop");
        }

        boolean onlyLoop() {
            return "loop".equals(only);
        }

        /** The full loops are slow (minutes per workload): at 2 threads, the issue's setting, unless --threads says. */
        int[] loopThreads() {
            return threadsGiven ? threads : new int[] {2};
        }

        String threadsText() {
            StringBuilder sb = new StringBuilder();
            for (int t : threads) {
                sb.append(sb.length() > 0 ? "," : "").append(t);
            }
            return sb.toString();
        }

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("--default-malloc")) {
                    o.defaultMalloc = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("PeerHarness: option " + name + " needs a value");
                }
                String value = args[++i];
                switch (name) {
                    case "--threads" -> {
                        o.threads = parseThreads(value);
                        o.threadsGiven = true;
                    }
                    case "--epochs" -> o.epochs = Integer.parseInt(value);
                    case "--samples" -> o.samples = Integer.parseInt(value);
                    case "--rounds" -> o.rounds = Integer.parseInt(value);
                    case "--reps" -> o.reps = Integer.parseInt(value);
                    case "--min-time" -> o.minTime = Double.parseDouble(value);
                    case "--warmup" -> o.warmup = Double.parseDouble(value);
                    case "--python" -> o.python = value;
                    case "--script" -> o.script = value;
                    case "--only" -> {
                        if (!List.of("gemm", "conv", "train", "seq", "loop").contains(value)) {
                            throw new IllegalArgumentException("PeerHarness: --only must be gemm, conv, train, seq or"
                                    + " loop, got " + value);
                        }
                        o.only = value;
                    }
                    default -> throw new IllegalArgumentException("PeerHarness: unknown option " + name
                            + " (expected --threads, --reps, --min-time, --warmup, --only, --epochs, --samples,"
                            + " --rounds, --default-malloc, --python or --script)");
                }
            }
            return o;
        }

        private static int[] parseThreads(String value) {
            String[] parts = value.split(",");
            int[] t = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                t[i] = Integer.parseInt(parts[i].trim());
                if (t[i] < 1) {
                    throw new IllegalArgumentException("PeerHarness: --threads must be positive, got " + value);
                }
            }
            return t;
        }
    }
}
