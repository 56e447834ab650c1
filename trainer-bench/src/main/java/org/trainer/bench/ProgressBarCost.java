package org.trainer.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * What the console costs the digits quick start (the README's: 1,438 training samples, batch 32,
 * 45 steps an epoch, 20 epochs): the median epoch time of a fit that prints nothing, one that
 * prints its epoch lines, and one that draws the progress bar as on a terminal (frames every 200 ms
 * and the epoch lines, into a stream that discards them, so that only the library's side is timed).
 * A fourth setting, silent again, is the control: its difference from the first is the measurement's
 * noise. The settings run in a shuffled order in each of {@code ROUNDS} rounds, so that drift in the
 * machine's load hits each alike; the cost is the median over rounds of the paired difference of
 * the round's median epochs. The CPU time per epoch of all threads (the bar's refresh thread
 * included) is reported too: on a machine loaded by other processes, wall time mostly measures
 * waiting for a core.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar org.trainer.bench.ProgressBarCost [ROUNDS]
 * </pre>
 * Then the same three settings on near-empty epochs (the same 45 batches through a one-weight
 * model), where the console's own CPU time per epoch stands out of the noise, as a share of a
 * digits epoch's CPU time. A harness that prints numbers for a person to read: nothing fails.
 */
public final class ProgressBarCost {
    private static final int EPOCHS = 20;

    private ProgressBarCost() {
    }

    /** CONTROL is silent again: its difference from SILENT is the noise of the measurement. */
    private enum Setting { SILENT, CONTROL, LINES, BAR }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 42, 0);
        TensorDataset train = all.subset(Arrays.copyOfRange(order, all.size() / 5, order.length));
        TensorDataset test = all.subset(Arrays.copyOfRange(order, 0, all.size() / 5));
        Map<Setting, double[]> digits = measure("digits quick start (MLP 64-128-10)", train, test, 64, EPOCHS, rounds);
        // The console's own cost, nearly alone: the same 45 batches an epoch through a 1-weight model.
        TensorDataset tiny = new TensorDataset(Tensor.ones(train.size(), 1),
                Tensor.fromArray(new int[train.size()], train.size()));
        Map<Setting, double[]> empty = measure("near-empty epochs (45 batches through Linear(1, 1))", tiny,
                new TensorDataset(Tensor.ones(8, 1), Tensor.fromArray(new int[8], 8)), 1, 10 * EPOCHS, rounds);
        double epochCpu = Stats.median(digits.get(Setting.SILENT));
        for (Setting s : List.of(Setting.CONTROL, Setting.LINES, Setting.BAR)) {
            double cost = pairedDifference(empty, s);
            System.out.printf(Locale.ROOT, "%s costs %.1f us of CPU an epoch (near-empty epochs), %.2f%% of a digits"
                    + " epoch's %.2f ms%n", s.name().toLowerCase(Locale.ROOT), cost * 1e6, 100 * cost / epochCpu,
                    epochCpu * 1e3);
        }
    }

    /** Runs every setting {@code rounds} times and prints the figures; returns the CPU time per epoch of each run. */
    private static Map<Setting, double[]> measure(String title, TensorDataset train, TensorDataset test, int features,
                                                  int epochs, int rounds) {
        Map<Setting, double[]> wall = new EnumMap<>(Setting.class);
        Map<Setting, double[]> cpu = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            wall.put(s, new double[rounds]);
            cpu.put(s, new double[rounds]);
        }
        fit(Setting.SILENT, train, test, features, epochs, new ArrayList<>()); // JIT warm-up
        List<Setting> settings = new ArrayList<>(List.of(Setting.values()));
        Random random = new Random(1);
        for (int r = 0; r < rounds; r++) {
            Collections.shuffle(settings, random);
            for (Setting s : settings) {
                List<Double> times = new ArrayList<>();
                long cpu0 = cpuNanos();
                fit(s, train, test, features, epochs, times);
                cpu.get(s)[r] = (cpuNanos() - cpu0) / 1e9 / epochs;
                wall.get(s)[r] = Stats.median(times);
            }
        }
        System.out.printf(Locale.ROOT, "%s, %d rounds x %d epochs per setting%n", title, rounds, epochs);
        for (Setting s : Setting.values()) {
            System.out.printf(Locale.ROOT, "  %-7s median epoch %.3f ms wall, %.3f ms CPU; against silent: %+.2f%% wall,"
                            + " %+.2f%% CPU (medians of paired differences)%n", s.name().toLowerCase(Locale.ROOT),
                    Stats.median(wall.get(s)) * 1e3, Stats.median(cpu.get(s)) * 1e3, 100 * pairedShare(wall, s),
                    100 * pairedShare(cpu, s));
        }
        return cpu;
    }

    /** The median over rounds of setting - silent. */
    private static double pairedDifference(Map<Setting, double[]> times, Setting s) {
        double[] silent = times.get(Setting.SILENT);
        double[] d = new double[silent.length];
        for (int r = 0; r < d.length; r++) {
            d[r] = times.get(s)[r] - silent[r];
        }
        return Stats.median(d);
    }

    /** The median over rounds of (setting - silent) / silent. */
    private static double pairedShare(Map<Setting, double[]> times, Setting s) {
        double[] silent = times.get(Setting.SILENT);
        double[] d = new double[silent.length];
        for (int r = 0; r < d.length; r++) {
            d[r] = (times.get(s)[r] - silent[r]) / silent[r];
        }
        return Stats.median(d);
    }

    /**
     * CPU time of every live thread (the training thread, the kernels' worker pool, the bar's refresh
     * thread), to the nanosecond where the process's own counter ticks in 10 ms steps; every thread
     * that works in a fit outlives it.
     */
    private static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }

    /** One fit with a setting; adds each epoch's wall time (training and validation) to {@code times}. */
    private static void fit(Setting setting, TensorDataset train, TensorDataset test, int features, int epochs,
                            List<Double> times) {
        Seeds.set(42);
        Sequential model = features == 1 ? new Sequential(new Linear(1, 1))
                : new Sequential(new Linear(features, 128), new Activation.ReLU(), new Linear(128, 10));
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(new EpochClock(0, times)).verbose(setting == Setting.LINES || setting == Setting.BAR).console(discard, true).progressBar(setting == Setting.BAR);
        trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.05, 0.9, 1e-4),
                DataLoader.builder(train).batchSize(32).shuffle(true).seed(42).build(),
                DataLoader.builder(test).batchSize(256).build(), epochs);
    }

}
