package org.trainer.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.trainer.core.backend.cpu.Parallel;

/**
 * How long does one training step (forward, loss, backward, SGD-momentum update) of the
 * Fashion-MNIST MLP (784-512-256-10) and CNN take, per batch size, on two threads? samples/s =
 * batch / (ms/op) * 1000. Run with {@code -prof gc}: gc.alloc.rate.norm is the bytes allocated per
 * step, to compare with the bytes of the step's tensors printed at tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TrainingStepBenchmark {
    @Param({"MLP", "CNN"})
    public TrainingModels model;

    @Param({"64", "256"})
    public int batch;

    @Param({"2"})
    public int threads;

    private TrainingStep step;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        step = new TrainingStep(model, batch, 42);
    }

    @Benchmark
    public double step() {
        return step.run();
    }

    @TearDown(Level.Trial)
    public void report() {
        System.out.printf("%n%s batch %d: the step's tensors occupy %d bytes%n", model, batch, step.tensorBytes());
    }
}
