package org.trainer.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times builds of this library (each a benchmarks jar, e.g. a base commit's and the working tree's)
 * and PyTorch in turns on one step, so that all of them see the same load on a shared machine:
 * after a warm-up of each, every round runs a chunk of about {@code chunk} seconds of each, in an
 * order that rotates by one per round. Each jar is loaded in its own class loader (its own
 * statics and thread pool); PyTorch runs in {@code trainer-bench/peer/turns.py}, with the same
 * environment as {@code PeerProcess} gives the peer harness.
 *
 * <p>Usage: {@code InterleavedPeer JAR[,JAR...] WORKLOAD THREADS[,THREADS...] ROUNDS CHUNK_SECONDS}, the
 * workload one of mlp64 and mlp256 (the MLP's {@code TrainingStep} at batch 64 or 256), cnn (the
 * CNN's at batch 64), conv1, conv2 (see {@code ConvLayer}), char-lstm, char-gru and char-rnn (the
 * character model of {@code SequenceStep.CharLstm} with that cell) and transformer
 * ({@code SequenceStep.Transformer}).
 * Prints per jar and thread count the median wall and process CPU time per step, and PyTorch's
 * time over ours (> 1: ours faster) for both: the CPU ratio does not count the time a process
 * waited for a core.
 */
public final class InterleavedPeer {
    private static final double WARMUP_SECONDS = 4.0;
    private static final List<String> WORKLOADS = List.of("mlp64", "mlp256", "cnn", "conv1", "conv2", "char-lstm",
            "char-gru", "char-rnn", "transformer");

    private InterleavedPeer() {
    }

    /** One side of the comparison: runs a chunk of steps and returns {wall, cpu} seconds. */
    private interface Side {
        double[] chunk(int steps) throws IOException;
    }

    /**
     * Runs the comparison.
     *
     * @param args jars, workload, thread counts, rounds, chunk seconds (see the type's Javadoc)
     * @throws Exception when a jar or the peer cannot be run
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("InterleavedPeer: expected 5 arguments (jars, workload, threads,"
                    + " rounds, chunk seconds), got " + args.length + ": " + Arrays.toString(args));
        }
        String[] jars = args[0].split(",");
        String workload = args[1];
        if (!WORKLOADS.contains(workload)) {
            throw new IllegalArgumentException("InterleavedPeer: workload must be one of " + WORKLOADS + ", got "
                    + workload);
        }
        int[] threads = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[3]);
        double chunk = Double.parseDouble(args[4]);
        Process peer = startPeer();
        BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8), true);
        out.println("info");
        System.out.println("# peer BLAS: " + in.readLine());
        List<Method> setThreads = new ArrayList<>();
        List<Side> sides = new ArrayList<>();
        for (String jar : jars) {
            URLClassLoader loader = new URLClassLoader(new URL[] {new File(jar).toURI().toURL()},
                    ClassLoader.getPlatformClassLoader());
            setThreads.add(loader.loadClass("org.trainer.core.backend.cpu.Parallel").getMethod("setThreads", int.class));
            sides.add(ours(step(loader, workload)));
        }
        sides.add(steps -> peerChunk(in, out, workload, steps));
        for (int t : threads) {
            out.println("threads " + t);
            in.readLine();
            for (Method m : setThreads) {
                m.invoke(null, t);
            }
            report(jars, workload, t, measure(sides, rounds, chunk));
        }
        out.close();
        peer.waitFor();
    }

    /** ms per step [side][round][wall = 0, cpu = 1]. */
    private static double[][][] measure(List<Side> sides, int rounds, double chunk) throws IOException {
        int[] steps = new int[sides.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = calibrate(sides.get(i), chunk);
        }
        double[][][] ms = new double[sides.size()][rounds][];
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < sides.size(); s++) {
                int i = (s + r) % sides.size();
                double[] wc = sides.get(i).chunk(steps[i]);
                ms[i][r] = new double[] {wc[0] * 1e3 / steps[i], wc[1] * 1e3 / steps[i]};
            }
        }
        return ms;
    }

    /** Warms a side up for {@link #WARMUP_SECONDS}, then returns the steps that last about {@code chunk} s. */
    private static int calibrate(Side side, double chunk) throws IOException {
        double spent = 0;
        int steps = 1;
        while (spent < WARMUP_SECONDS) {
            double wall = side.chunk(steps)[0];
            spent += wall;
            if (wall < 0.5) {
                steps *= 2;
            }
        }
        double once = side.chunk(3)[0] / 3;
        return Math.max(3, (int) (chunk / once));
    }

    private static void report(String[] jars, String workload, int threads, double[][][] ms) {
        int peer = jars.length;
        double peerWall = median(ms[peer], 0);
        double peerCpu = median(ms[peer], 1);
        System.out.printf("%s, %d thread(s), %d rounds: torch %.2f ms/step wall, %.2f ms CPU%n", workload, threads,
                ms[peer].length, peerWall, peerCpu);
        for (int i = 0; i < jars.length; i++) {
            double wall = median(ms[i], 0);
            double cpu = median(ms[i], 1);
            System.out.printf("%s, %d thread(s), %s: %.2f ms/step wall, %.2f ms CPU; torch/ours: wall %.2fx, CPU %.2fx%n",
                    workload, threads, jars[i], wall, cpu, peerWall / wall, peerCpu / cpu);
        }
    }

    private static double median(double[][] rows, int column) {
        return Stats.median(Arrays.stream(rows).mapToDouble(row -> row[column]).toArray());
    }

    /** A chunk of our steps, timed by wall clock and this process's CPU time. */
    private static Side ours(Runnable step) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return steps -> {
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            return new double[] {(System.nanoTime() - wall) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9};
        };
    }

    /**
     * The workload's step from the jar behind {@code loader}: TrainingStep (CNN, batch 64),
     * SequenceStep.CharLstm, SequenceStep.Transformer or ConvLayer.Step.
     */
    private static Runnable step(ClassLoader loader, String workload) throws ReflectiveOperationException {
        Object step;
        Method run;
        if (workload.startsWith("char-")) {
            Class<?> type = loader.loadClass(SequenceStep.CharLstm.class.getName());
            String cell = workload.substring("char-".length());
            step = cell.equals("lstm") && !hasCellConstructor(type)
                    ? construct(type.getDeclaredConstructor(long.class), 42L) // a jar from before GRU/RNN cells
                    : construct(type.getDeclaredConstructor(String.class, long.class), cell, 42L);
            run = loader.loadClass(SequenceStep.class.getName()).getDeclaredMethod("run");
            run.setAccessible(true);
        } else if (workload.equals("transformer")) {
            step = construct(loader.loadClass(SequenceStep.Transformer.class.getName())
                    .getDeclaredConstructor(long.class), 42L);
            run = loader.loadClass(SequenceStep.class.getName()).getDeclaredMethod("run");
            run.setAccessible(true);
        } else if (workload.equals("cnn") || workload.startsWith("mlp")) {
            Class<?> kinds = loader.loadClass(TrainingModels.class.getName());
            Class<?> type = loader.loadClass(TrainingStep.class.getName());
            boolean cnn = workload.equals("cnn");
            step = construct(type.getDeclaredConstructor(kinds, int.class, long.class),
                    kinds.getField(cnn ? "CNN" : "MLP").get(null), cnn ? 64 : Integer.parseInt(workload.substring(3)), 42L);
            run = type.getDeclaredMethod("run");
            run.setAccessible(true);
        } else {
            Class<?> layers = loader.loadClass(ConvLayer.class.getName());
            Object layer = layers.getField(workload.toUpperCase(java.util.Locale.ROOT)).get(null);
            step = layers.getMethod("newStep", long.class).invoke(layer, 42L);
            run = step.getClass().getMethod("run");
        }
        Object target = step;
        return () -> {
            try {
                run.invoke(target);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("InterleavedPeer: step failed", e);
            }
        };
    }

    private static Object construct(Constructor<?> make, Object... args) throws ReflectiveOperationException {
        make.setAccessible(true);
        return make.newInstance(args);
    }

    private static boolean hasCellConstructor(Class<?> type) {
        return Arrays.stream(type.getDeclaredConstructors())
                .anyMatch(c -> Arrays.equals(c.getParameterTypes(), new Class<?>[] {String.class, long.class}));
    }

    private static double[] peerChunk(BufferedReader in, PrintWriter out, String workload, int steps)
            throws IOException {
        out.println("run " + workload + " " + steps);
        String line = in.readLine();
        if (line == null) {
            throw new IOException("turns.py: ended without answering 'run " + workload + " " + steps + "'");
        }
        String[] parts = line.trim().split(" ");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    /** turns.py with the peer harness's environment (see {@code PeerProcess.run}). */
    private static Process startPeer() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "trainer-bench/peer/turns.py");
        PeerProcess.peerEnvironment(pb, true);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }
}
