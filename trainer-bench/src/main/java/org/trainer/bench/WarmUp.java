package org.trainer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * How soon a fresh JVM trains at full speed: the time of every training step from the first, in a
 * new JVM per run, and the step (and milliseconds since JVM start) from which the speed stays at
 * 90% of the steady state or better.
 *
 * <p>A run is one child JVM ({@code --child}) that builds the model and a fixed random batch of
 * Fashion-MNIST-shaped images, then times {@code --steps} training steps (forward, cross-entropy,
 * backward in a memory scope, optimizer step, as {@link TrainingStep} does) and prints their
 * nanoseconds. The parent launches {@code --runs} children per classpath, interleaving the
 * classpaths run by run so that a before/after comparison shares the machine's load, and prints per
 * classpath the median over runs of: the step time in windows of steps, the steady-state step time
 * (the median of the last fifth of the steps), and the time to 90%: the first step from which five
 * windows of {@link #WINDOW} steps in a row run at 90% of the steady speed or better (their medians
 * at most steady / 0.9), in steps and in milliseconds.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp CP org.trainer.bench.WarmUp --workload mlp-sgd
 *     [--steps 1000] [--runs 5] [--threads 2] [--cp name=classpath ...] [--jvm-arg -XX:... ...]
 * </pre>
 *
 * <p>Workloads: {@code mlp-sgd} (784-512-256-10, SGD with momentum, batch 256), {@code mlp-adam}
 * (the same MLP, Adam, batch 128), {@code cnn} (two 5x5 convolutions with pooling, SGD with
 * momentum, batch 64). Without {@code --cp} the children run this JVM's classpath.
 */
public final class WarmUp {
    /** Steps per window when judging whether the speed has settled. */
    static final int WINDOW = 10;
    /** Consecutive windows at 90% of the steady speed that count as settled. */
    static final int SETTLED_WINDOWS = 5;

    private WarmUp() {
    }

    /** The timed workloads. */
    enum Workload {
        MLP_SGD("mlp-sgd", TrainingModels.MLP, 256, false),
        MLP_ADAM("mlp-adam", TrainingModels.MLP, 128, true),
        CNN("cnn", TrainingModels.CNN, 64, false);

        final String id;
        final TrainingModels model;
        final int batch;
        final boolean adam;

        Workload(String id, TrainingModels model, int batch, boolean adam) {
            this.id = id;
            this.model = model;
            this.batch = batch;
            this.adam = adam;
        }

        static Workload of(String id) {
            for (Workload w : values()) {
                if (w.id.equals(id)) {
                    return w;
                }
            }
            throw new IllegalArgumentException("--workload: expected one of mlp-sgd, mlp-adam, cnn, got " + id);
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options o = Options.parse(args);
        if (o.child) {
            child(o);
        } else {
            parent(o);
        }
    }

    /** Times the steps in this JVM and prints "start_ms first_step_ms ns ns ns ..." on one line. */
    private static void child(Options o) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Parallel.setThreads(o.threads);
        Workload w = o.workload;
        Seeds.set(7);
        Sequential model = w.model.build();
        Optimizer optimizer = w.adam ? new Adam(model.parameters(), 1e-3) : new SGD(model.parameters(), 0.01, 0.9, 0);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        MemoryScope.Pool pool = new MemoryScope.Pool();
        Tensor x = Tensor.randn(7, w.batch, 1, 28, 28).mul(0.5);
        int[] labels = new int[w.batch];
        for (int i = 0; i < w.batch; i++) {
            labels[i] = i % 10;
        }
        Tensor y = Tensor.fromArray(labels, w.batch);
        long[] ns = new long[o.steps];
        long firstStep = System.currentTimeMillis() - jvmStart;
        double sink = 0;
        for (int s = 0; s < o.steps; s++) {
            long t0 = System.nanoTime();
            try (MemoryScope step = MemoryScope.open(pool)) {
                Tensor l = loss.compute(model.forward(x), y);
                optimizer.zeroGrad();
                l.backward();
                sink += l.item();
            }
            optimizer.step();
            ns[s] = System.nanoTime() - t0;
        }
        StringBuilder line = new StringBuilder("steps ").append(firstStep);
        for (long n : ns) {
            line.append(' ').append(n);
        }
        System.out.println(line);
        if (!Double.isFinite(sink)) {
            System.err.println("warning: the loss is not finite");
        }
    }

    private static void parent(Options o) throws IOException, InterruptedException {
        Map<String, List<long[]>> times = new LinkedHashMap<>();
        Map<String, List<Long>> offsets = new LinkedHashMap<>();
        for (String name : o.classpaths.keySet()) {
            times.put(name, new ArrayList<>());
            offsets.put(name, new ArrayList<>());
        }
        for (int r = 0; r < o.runs; r++) {
            for (Map.Entry<String, String> cp : o.classpaths.entrySet()) {
                String[] out = runChild(o, cp.getValue());
                offsets.get(cp.getKey()).add(Long.parseLong(out[1]));
                long[] ns = new long[out.length - 2];
                for (int i = 0; i < ns.length; i++) {
                    ns[i] = Long.parseLong(out[i + 2]);
                }
                times.get(cp.getKey()).add(ns);
                System.err.printf(Locale.ROOT, "run %d %s: steady %.2f ms, 90%% at step %d%n", r + 1, cp.getKey(),
                        steady(ns) / 1e6, settledStep(ns));
            }
        }
        System.out.printf(Locale.ROOT, "workload %s, batch %d, %d threads, %d steps, %d fresh JVMs per classpath,"
                + " medians over runs%n", o.workload.id, o.workload.batch, o.threads, o.steps, o.runs);
        for (String name : times.keySet()) {
            report(name, times.get(name), offsets.get(name));
        }
    }

    private static void report(String name, List<long[]> runs, List<Long> offsets) {
        int steps = runs.get(0).length;
        double[] steady = runs.stream().mapToDouble(WarmUp::steady).toArray();
        double[] settled = runs.stream().mapToDouble(WarmUp::settledStep).toArray();
        double[] settledMs = runs.stream().mapToDouble(ns -> elapsedMs(ns, settledStep(ns))).toArray();
        double[] firstMs = runs.stream().mapToDouble(ns -> ns[0] / 1e6).toArray();
        double[] startMs = offsets.stream().mapToDouble(Long::doubleValue).toArray();
        double[] first100 = runs.stream().mapToDouble(ns -> elapsedMs(ns, Math.min(100, ns.length))).toArray();
        double steadyMs = Stats.median(steady) / 1e6;
        double[] first100Ratio = new double[runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            first100Ratio[r] = steady[r] * Math.min(100, steps) / 1e6 / first100[r];
        }
        double[] done100 = new double[runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            done100[r] = startMs[r] + elapsedMs(runs.get(r), Math.min(100, steps) + 1);
        }
        System.out.printf(Locale.ROOT, "%s: steady %.2f ms/step; first step %.1f ms (starts %.0f ms after JVM start);"
                        + " steps 1-100 at %.0f%% of steady speed, done %.0f ms after JVM start; 90%% of steady"
                        + " speed from step %.0f, %.0f ms after the first step%n", name, steadyMs,
                Stats.median(firstMs), Stats.median(startMs), 100 * Stats.median(first100Ratio),
                Stats.median(done100), Stats.median(settled), Stats.median(settledMs));
        StringBuilder line = new StringBuilder("  ms/step by steps:");
        int lo = 0;
        for (int hi : windowEnds(steps)) {
            double[] med = new double[runs.size()];
            for (int r = 0; r < runs.size(); r++) {
                med[r] = median(runs.get(r), lo, hi) / 1e6;
            }
            line.append(String.format(Locale.ROOT, " %d-%d %.2f;", lo + 1, hi, Stats.median(med)));
            lo = hi;
        }
        System.out.println(line);
    }

    /** Window boundaries: single steps 1-5, then growing windows to the end. */
    private static int[] windowEnds(int steps) {
        int[] ends = {1, 2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000};
        List<Integer> out = new ArrayList<>();
        for (int e : ends) {
            if (e < steps) {
                out.add(e);
            }
        }
        out.add(steps);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The steady-state step time: the median of the last fifth of the steps, in ns. */
    static double steady(long[] ns) {
        return median(ns, ns.length - Math.max(1, ns.length / 5), ns.length);
    }

    /**
     * The first step (1-based) that starts {@link #SETTLED_WINDOWS} consecutive windows of
     * {@link #WINDOW} steps whose medians are all at most steady / 0.9 (at least 90% of the steady
     * speed); steps + 1 when there is none. A run of windows rather than every later window, so that
     * a stall from another process on a shared machine does not count as warm-up.
     */
    static int settledStep(long[] ns) {
        double limit = steady(ns) / 0.9;
        int windows = ns.length / WINDOW;
        int run = 0;
        for (int wi = 0; wi < windows; wi++) {
            run = median(ns, wi * WINDOW, (wi + 1) * WINDOW) <= limit ? run + 1 : 0;
            if (run == SETTLED_WINDOWS || run > 0 && wi == windows - 1) {
                return (wi - run + 1) * WINDOW + 1;
            }
        }
        return ns.length + 1;
    }

    /** Milliseconds spent in the steps before the given 1-based step. */
    private static double elapsedMs(long[] ns, int step) {
        long sum = 0;
        for (int i = 0; i < Math.min(step - 1, ns.length); i++) {
            sum += ns[i];
        }
        return sum / 1e6;
    }

    private static double median(long[] ns, int from, int to) {
        double[] v = new double[to - from];
        for (int i = from; i < to; i++) {
            v[i - from] = ns[i];
        }
        return Stats.median(v);
    }

    private static String[] runChild(Options o, String classpath) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(o.jvmArgs);
        cmd.addAll(List.of("-cp", classpath, WarmUp.class.getName(), "--child", "--workload", o.workload.id,
                "--steps", Integer.toString(o.steps), "--threads", Integer.toString(o.threads)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("steps ")) {
                    result = line;
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || result == null) {
            throw new IllegalStateException("child JVM failed (exit " + rc + "): " + String.join(" ", cmd));
        }
        return result.split(" ");
    }

    /** Command-line options. */
    private static final class Options {
        boolean child;
        Workload workload = Workload.MLP_SGD;
        int steps = 1000;
        int runs = 5;
        int threads = 2;
        final Map<String, String> classpaths = new LinkedHashMap<>();
        final List<String> jvmArgs = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--child")) {
                    o.child = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": expected a value after it, got the end of the arguments");
                }
                String v = args[++i];
                switch (a) {
                    case "--workload" -> o.workload = Workload.of(v);
                    case "--steps" -> o.steps = positive(a, v);
                    case "--runs" -> o.runs = positive(a, v);
                    case "--threads" -> o.threads = positive(a, v);
                    case "--jvm-arg" -> o.jvmArgs.add(v);
                    case "--cp" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--cp: expected name=classpath, got " + v);
                        }
                        o.classpaths.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a + "; expected --workload,"
                            + " --steps, --runs, --threads, --jvm-arg, --cp or --child");
                }
            }
            if (o.steps < 2 * WINDOW) {
                throw new IllegalArgumentException("--steps: expected at least " + 2 * WINDOW + ", got " + o.steps);
            }
            if (o.classpaths.isEmpty()) {
                o.classpaths.put("this", System.getProperty("java.class.path"));
            }
            return o;
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new IllegalArgumentException(name + ": expected a positive integer, got " + v);
            }
            return n;
        }
    }
}
