package org.trainer.bench;

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
import org.trainer.core.monitor.SaturatedActivation;
import org.trainer.core.monitor.VanishingGradient;
import org.trainer.core.monitor.WeightUpdateRatio;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * What does watching a run cost? One epoch of {@link Trainer#fit} on the Fashion-MNIST MLP
 * (784-512-256-10, SGD with momentum, batch 64, 200 batches of seeded random Fashion-MNIST-shaped
 * images) without a monitor and with a {@link Monitor} running all nine built-in rules at its
 * default interval ({@value Monitor#DEFAULT_EVERY} steps), and sampling every step (which shows
 * what one sample costs: (every1 - off) / 200 per sample). ms/op is per epoch: divide by 200 for the
 * step; on / off is the overhead.
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
                    .rules(new VanishingGradient(), new ExplodingTensor(), new LossNotDecreasing(), new Overfit(),
                            new Overtraining(), new PoorWeightInitialization(), new DeadRelu(),
                            new SaturatedActivation(), new WeightUpdateRatio())
                    .build());
        }
    }

    @Benchmark
    public double epoch() {
        return trainer.fit(model, new CrossEntropyLoss(), optimizer, train, null, 1).last("loss");
    }
}
