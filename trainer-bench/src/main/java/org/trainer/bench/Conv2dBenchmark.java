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
import org.trainer.core.backend.cpu.Parallel;

/**
 * How long does one training step of a LeNet-style convolution layer take: conv2d forward, backward
 * with a fixed upstream gradient, and zeroing the gradients, for batch 64 with 5x5 kernels,
 * stride 1, no padding and a bias ({@link ConvLayer}: 1x28x28 -> 32 channels, and 32x12x12 -> 64
 * channels with the input also needing a gradient). The peer harness times the same step against
 * PyTorch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class Conv2dBenchmark {
    @Param({"CONV1", "CONV2"})
    public ConvLayer layer;

    @Param({"1", "2"})
    public int threads;

    private ConvLayer.Step step;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        step = layer.newStep(42);
    }

    @Benchmark
    public void forwardBackward() {
        step.run();
    }
}
