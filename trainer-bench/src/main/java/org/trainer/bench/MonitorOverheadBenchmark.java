package org.trainer.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.monitor.DeadRelu;
import org.trainer.core.monitor.ExplodingTensor;
import org.trainer.core.monitor.LossNotDecreasing;
import org.trainer.core.monitor.Monitor;
import org.trainer.core.monitor.Overfit;
import org.trainer.core.monitor.Overtraining;
import org.trainer.core.monitor.PoorWeightInitialization;
import org.trainer.core.monitor.Rule;
import org.trainer.core.monitor.SaturatedActivation;
import org.trainer.core.monitor.UnnormalizedInputs;
import org.trainer.core.monitor.VanishingGradient;
import org.trainer.core.monitor.WeightUpdateRatio;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * What does watching a run cost? One epoch of {@link Trainer#fit} on the Fashion-MNIST MLP
 * (784-512-256-10, SGD with momentum, batch 64, 200 batches of seeded random Fashion-MNIST-shaped
 * images) without a monitor and with a {@link Monitor} running all ten built-in rules at its
 * default interval ({@value Monitor#DEFAULT_EVERY} steps), and sampling every step (which shows
 * what one sample costs: (every1 - off) / 200 per sample). ms/op is per epoch: divide by 200 for the
 * step; on / off is the overhead.
 *
 * <p>{@link #lossChecksPerStep} answers the same question for the checks a monitor makes on every
 * step, sampled or not: every rule's {@link Rule#onLoss} on the step's loss (NaN/inf, exploded against
 * its running mean), in ns per step, to hold against the step time (off / 200). Too small for the
 * epoch figures to resolve on a loaded machine, so it is timed alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MonitorOverheadBenchmark {
    static final int BATCH = 64;
    static final int BATCHES = 200;

    /** off: no monitor; on: the monitor at its default interval; every1: sampling every step, to show its cost. */
    @Param({"off", "on", "every1"})
    public String monitor;

    @Param({"2"})
    public int threads;

    private Sequential model;
    private SGD optimizer;
    private DataLoader train;
    private Trainer trainer;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Seeds.set(42);
        model = TrainingModels.MLP.build();
        optimizer = new SGD(model.parameters(), 0.01, 0.9, 0);
        int n = BATCH * BATCHES;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        TensorDataset data = new TensorDataset(Tensor.randn(42, n, 1, 28, 28), Tensor.fromArray(labels, n));
        train = DataLoader.builder(data).batchSize(BATCH).shuffle(true).seed(42).build();
        trainer = new Trainer();
        if (!monitor.equals("off")) {
            trainer.callbacks(Monitor.builder().every(monitor.equals("every1") ? 1 : Monitor.DEFAULT_EVERY)
                    .rules(allRules()).build());
        }
    }

    /** Every built-in rule with its defaults. */
    static Rule[] allRules() {
        return new Rule[] {new VanishingGradient(), new ExplodingTensor(), new LossNotDecreasing(), new Overfit(),
            new Overtraining(), new PoorWeightInitialization(), new DeadRelu(), new SaturatedActivation(),
            new WeightUpdateRatio(), new UnnormalizedInputs()};
    }

    /** The built-in rules as a monitor holds them, and the step count, for {@link #lossChecksPerStep}. */
    @State(Scope.Thread)
    public static class LossChecks {
        final List<Rule> rules = List.of(allRules());
        long step;
    }

    /** What a monitor does on each step's loss: every rule's onLoss, on a loss that wanders like a real one. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int lossChecksPerStep(LossChecks s) {
        s.step++;
        double loss = 2.0 + 0.01 * (s.step & 15);
        int found = 0;
        for (int i = 0; i < s.rules.size(); i++) {
            found += s.rules.get(i).onLoss(0, s.step, loss).size();
        }
        return found;
    }

    @Benchmark
    public double epoch() {
        return trainer.fit(model, new CrossEntropyLoss(), optimizer, train, null, 1).last("loss");
    }
}
